# rvi_core-style core: started after every component present in the release
# (optional_applications); its last start phase awaits every name the
# components list under `rvi_core_await`, then announces `rvi_core`.
application: core
vsn: "0.3.0"
description: RVI core
modules: []
registered: [rvi_core]
applications: []
optional_applications: [dlink_tls, dlink_bt, proto_json]
mod: {module: core_app, args: []}
env:
  await_timeout_ms: 5000
start_phases:
  - setup: []
  - await: []
