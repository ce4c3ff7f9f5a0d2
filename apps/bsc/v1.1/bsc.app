# Base station controller from "Designing for Scalability with Erlang/OTP"
# (ch. 9-11): a frequency allocator, an overload handler and a supervisor of
# phone state machines, under a rest_for_one top supervisor.
application: bsc
vsn: "1.1.0"
description: "Base Station Controller, 1.1.0: blocked frequencies"
modules: [frequency, overload, phone_fsm, phone_sup]
registered: [frequency, overload, phone_sup]
applications: []
env:
  frequencies: [10, 11, 12, 13, 14, 15]
  max_phones: 100
  demo: false
  traffic: false
mod: {module: bsc_app, args: []}
start_phases:
  - init: []
  - admin: []
  - oper: []
