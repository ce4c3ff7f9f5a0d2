application: proto_json
vsn: "0.3.0"
description: RVI JSON protocol
applications: []
mod: {module: proto_json_app, args: []}
env:
  rvi_core_await: [proto_json_rpc]
start_phases:
  - announce: []
