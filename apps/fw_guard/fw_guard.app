# A firmware-guard style helper for shoehorn boot control (docs/runtime.md): a
# library app that init entries start first, a boot call that records the
# boot, and the boot handler the release names.
application: fw_guard
vsn: "0.1.0"
description: Boot guard (shoehorn handler and init call)
applications: []
