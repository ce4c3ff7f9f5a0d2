#include "app_master.hpp"

#include <exception>

#include <caf/all.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

job_result run_guarded(const master_job& job) {
  job_result result;
  try {
    result = job();
  } catch (const std::exception& ex) {
    result.error
      = make_error(runtime_errc::start_failed,
                   std::string{"exception: "} + ex.what());
  } catch (...) {
    result.error = make_error(runtime_errc::start_failed,
                              "exception of a type not derived from "
                              "std::exception");
  }
  return result;
}

caf::actor spawn_app_master(caf::actor_system& sys) {
  return sys.spawn<caf::detached + caf::hidden>([]() -> caf::behavior {
    return {
      [](master_atoms::run, const master_job& job) { return run_guarded(job); },
    };
  });
}

} // namespace relc
