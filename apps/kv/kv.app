application: kv
vsn: "0.1.0"
description: A key-value store written the OTP way (docs/cpp-api.md)
applications: [kernel]
mod: {module: kv_app}
modules: []
start_phases: [warm]
env:
  # Keys the `warm` start phase puts before the app counts as started.
  seed: {greeting: hello, answer: 42}
  # A demo of a restart: the store crashes this many ms after each start
  # (0: never); its supervisor starts it again under the same name.
  crash_every_ms: 0
