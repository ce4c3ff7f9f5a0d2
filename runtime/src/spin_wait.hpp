#pragma once

// Spin-waits that know when to stop (private to the runtime). A thread
// outside CAF's scheduler (an app master, a host thread) that waits for an
// actor's answer spins briefly before it sleeps: the answer usually comes
// within microseconds, and a futex wake-up on a VM costs tens of them. But
// a spinning thread holds a core, and the actor that must answer needs
// one: with more spinners than cores less one, the answer waits for a
// spinner's time slice (milliseconds). So at most that many threads spin
// at once; the others sleep at once. And the same holds when another
// process keeps a core busy: then the spinner shares its core with the
// thread it waits for, and a spin only delays the answer (2 cores, one
// busy loop beside the node: 500 app starts took 120-210 ms spinning,
// 35-45 ms sleeping at once). So waits learn from how their spins ended:
// while most run out, nobody spins, but one wait in 32 tries again.

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

/// The right to spin, held for one wait; false when enough threads spin,
/// or when recent spins mostly ran out (but for a probe now and then).
class spin_permit {
public:
  spin_permit() {
    if (!worth_spinning())
      return;
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

  /// How the spin ended: the answer came while spinning (true), or the
  /// spin ran out (false). Only waits for an answer tell, not a wait for
  /// work that may simply not come.
  void ended(bool answered) {
    if (!granted_)
      return;
    // A lost update between racing waiters only blurs the average.
    auto r = rate().load(std::memory_order_relaxed);
    rate().store(r + ((answered ? one : 0) - r) / 8, std::memory_order_relaxed);
  }

  /// Starts learning afresh: spins pay (tests).
  static void forget_outcomes() {
    rate().store(one, std::memory_order_relaxed);
  }

private:
  static constexpr int one = 1024;

  static std::atomic<int>& spinners() {
    static std::atomic<int> n{0};
    return n;
  }

  // Share of recent spins that saw their answer, in 1/1024.
  static std::atomic<int>& rate() {
    static std::atomic<int> r{one};
    return r;
  }

  static bool worth_spinning() {
    if (rate().load(std::memory_order_relaxed) >= one / 2)
      return true;
    static std::atomic<unsigned> waits{0};
    return waits.fetch_add(1, std::memory_order_relaxed) % 32 == 0;
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
