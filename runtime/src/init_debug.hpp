#pragma once

// --init-debug output (private to the runtime): each boot step with its
// time, printed as it happens by whoever takes the step (the node while it
// loads, the controller afterwards).

#include <cstdio>

#include "relc/runtime/node.hpp"

namespace relc {

/// Prints `init: +<ms> ms <step>` to the options' debug sink (default:
/// stderr) when init_debug is on.
inline void print_init_debug(const node_options& options,
                             const timeline_entry& entry) {
  if (!options.init_debug)
    return;
  auto line = "init: " + to_string(entry);
  if (options.debug_sink)
    options.debug_sink(line);
  else
    fprintf(stderr, "%s\n", line.c_str());
}

} // namespace relc
