application: dlink_bt
vsn: "0.3.0"
description: RVI data link over Bluetooth
applications: []
mod: {module: dlink_bt_app, args: []}
env:
  rvi_core_await: [dlink_bt_rpc]
  channel: 1
start_phases:
  - announce: []
