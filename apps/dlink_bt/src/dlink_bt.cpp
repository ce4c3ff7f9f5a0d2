// dlink_bt: an rvi_core-style component (see rvi_component.hpp).
#include "rvi_component.hpp"

RELC_APPLICATION(dlink_bt_app, rvi::component_app)
