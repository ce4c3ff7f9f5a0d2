// dlink_tls: an rvi_core-style component (see rvi_component.hpp).
#include "rvi_component.hpp"

RELC_APPLICATION(dlink_tls_app, rvi::component_app)
