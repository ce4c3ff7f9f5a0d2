#pragma once

#include <string>

namespace relc {

/// Sends `state` (e.g. "READY=1") to systemd's NOTIFY_SOCKET, if set: one
/// datagram on a Unix socket (a leading '@' means the abstract namespace).
/// The protocol needs no libsystemd. Returns false when not sent.
bool systemd_notify(const std::string& state);

/// The watchdog interval systemd asks for (WATCHDOG_USEC), in microseconds;
/// 0 when none.
long long systemd_watchdog_usec();

} // namespace relc
