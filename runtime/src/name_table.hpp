#pragma once

// The registry's names, readable and writable from any thread (private to
// the runtime). The registry actor owns one; it keeps what needs an actor
// (monitors of holders, waiters) and this table keeps the names
// themselves, so a lookup is a shared-lock read and a registration one
// short exclusive lock: neither waits for the registry actor, from an app
// thread or from inside an actor (OTP's ets-backed `whereis`). Every
// check-and-set happens under the one lock, so a name has one holder.

#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "relc/runtime/term.hpp"

namespace relc::detail {

class name_table {
public:
  struct entry {
    caf::actor who;
    term value;
  };

  enum class put_result { added, same, taken, closed };

  /// Registers `name` for `who`: `added` (also over a holder that has
  /// terminated but whose down message the registry has not handled yet,
  /// so a restarted child takes its name at once), `same` when `who` holds
  /// it already (its value then replaced), `taken` by another live actor,
  /// or `closed` once the registry is gone.
  put_result put(const std::string& name, const caf::actor& who, term value);

  /// The holder of `name`; a null actor when none.
  caf::actor get(const std::string& name) const;

  /// The holder and value of `name`, if registered.
  std::optional<entry> find(const std::string& name) const;

  /// Removes `name` whoever holds it; the holder it had (null: none).
  caf::actor erase(const std::string& name);

  /// Removes `name` only while `who` holds it; whether it did.
  bool erase_if_held(const std::string& name, const caf::actor_addr& who);

  /// `to` holds `name` (with its value) if `from` held it; whether it did.
  /// One step: no other registration can take the name in between.
  bool replace_holder(const std::string& name, const caf::actor& from,
                      const caf::actor& to);

  /// Whether `who` holds `name` right now.
  bool holds(const std::string& name, const caf::actor& who) const;

  /// Every name, sorted.
  std::vector<std::string> names() const;

  /// The registry is gone: empties the table, and put() says `closed`.
  void close();

private:
  mutable std::shared_mutex mtx_;
  std::unordered_map<std::string, entry> names_;
  bool closed_ = false;
};

} // namespace relc::detail
