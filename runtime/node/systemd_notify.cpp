#include "systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace relc {

bool systemd_notify(const std::string& state) {
  const char* path = getenv("NOTIFY_SOCKET");
  if (!path || !*path)
    return false;
  sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  auto len = strlen(path);
  if (len >= sizeof addr.sun_path)
    return false;
  memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@')
    addr.sun_path[0] = '\0';
  auto fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  auto n = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                  reinterpret_cast<sockaddr*>(&addr), size);
  close(fd);
  return n == static_cast<ssize_t>(state.size());
}

long long systemd_watchdog_usec() {
  const char* usec = getenv("WATCHDOG_USEC");
  if (!usec)
    return 0;
  if (const char* pid = getenv("WATCHDOG_PID"); pid && atoll(pid) != getpid())
    return 0;
  return atoll(usec);
}

} // namespace relc
