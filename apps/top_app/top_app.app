# The book's top_app: includes bsc and starts bsc's tree under its own
# supervisor. Start phases run in application_starter order: top_app's
# phase, then bsc's phase of the same name; bsc's `admin` never runs here
# because top_app has no `admin` phase.
application: top_app
vsn: "1.0.0"
description: Top application including the base station controller
modules: [top_sup]
registered: [top_sup]
applications: []
included_applications: [bsc]
mod: {module: top_app, args: []}
start_phases:
  - init: []
  - oper: []
