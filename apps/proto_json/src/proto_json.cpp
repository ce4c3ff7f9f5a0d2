// proto_json: an rvi_core-style component (see rvi_component.hpp).
#include "rvi_component.hpp"

RELC_APPLICATION(proto_json_app, rvi::component_app)
