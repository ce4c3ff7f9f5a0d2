application: dlink_tls
vsn: "0.3.0"
description: RVI data link over TLS
applications: []
mod: {module: dlink_tls_app, args: []}
env:
  rvi_core_await: [dlink_tls_rpc]
  port: 8807
start_phases:
  - announce: []
