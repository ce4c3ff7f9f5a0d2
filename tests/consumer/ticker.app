application: ticker
vsn: "1.2.0"
description: "an app built against an installed relc"
modules: [ticker]
registered: []
mod: {module: ticker_app, args: []}
env:
  interval_ms: 1000
