#pragma once

// App code may throw anything: the one way an exception becomes an error
// (private to the runtime).

#include <exception>
#include <string>

#include <caf/error.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

/// The error of the exception being handled: call it in a catch block.
/// `exception: <what>` for a std::exception, a fixed text otherwise.
inline caf::error current_exception_error() {
  try {
    throw;
  } catch (const std::exception& ex) {
    return make_error(runtime_errc::start_failed,
                      std::string{"exception: "} + ex.what());
  } catch (...) {
    return make_error(runtime_errc::start_failed,
                      "exception of a type not derived from std::exception");
  }
}

} // namespace relc
