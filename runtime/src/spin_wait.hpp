#pragma once

// Spin-waits that know when to stop (private to the runtime). A thread
// outside CAF's scheduler (an app master, a host thread) that waits for an
// actor's answer spins briefly before it sleeps: the answer usually comes
// within microseconds, and a futex wake-up on a VM costs tens of them. But
// a spinning thread holds a core, and the actor that must answer needs
// one: with more spinners than cores less one, the answer waits for a
// spinner's time slice (milliseconds). So at most that many threads spin
// at once; the others sleep at once.

#include <algorithm>
#include <atomic>
#include <thread>

namespace relc {

/// A pause hint for spin-waits.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

/// The right to spin, held for one wait; false when enough threads spin.
class spin_permit {
public:
  spin_permit() {
    auto& n = spinners();
    granted_ = n.fetch_add(1, std::memory_order_relaxed) < limit();
    if (!granted_)
      n.fetch_sub(1, std::memory_order_relaxed);
  }

  ~spin_permit() {
    if (granted_)
      spinners().fetch_sub(1, std::memory_order_relaxed);
  }

  spin_permit(const spin_permit&) = delete;
  spin_permit& operator=(const spin_permit&) = delete;

  explicit operator bool() const {
    return granted_;
  }

private:
  static std::atomic<int>& spinners() {
    static std::atomic<int> n{0};
    return n;
  }

  // One core is left to the actors that answer (at least one spinner).
  static int limit() {
    static const int n
      = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
    return n;
  }

  bool granted_ = false;
};

} // namespace relc
