// Prefix → V for both unicast families, the index under every RIB table.
//
// A hash map, not a trie: the RIB only ever asks for exact prefixes
// (longest-prefix match is the kernel's job), and a flat hash table answers
// that with one or two cache misses. IPv4 prefixes are packed into a single
// 64-bit key (address << 8 | length) so an IPv4 slot costs 8 bytes of key.
//
// Pointers returned by find()/find_or_insert() stay valid until the next
// insertion or erase in the same map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "bgp/rib/flat_table.h"
#include "core/ip.h"

namespace halink::bgp {

template <class V>
class PrefixMap {
public:
  V* find(const Prefix& prefix) {
    if (prefix.family() == Family::ipv4) {
      const uint64_t key = v4_key(prefix);
      V4Slot* slot = v4_.find(key, [key](const V4Slot& s) { return s.key == key; });
      return slot ? &slot->value : nullptr;
    }
    const V6Slot probe = v6_probe(prefix);
    V6Slot* slot = v6_.find(V6Traits::hash(probe), [&](const V6Slot& s) { return same_key(s, probe); });
    return slot ? &slot->value : nullptr;
  }
  const V* find(const Prefix& prefix) const { return const_cast<PrefixMap*>(this)->find(prefix); }

  // The value for `prefix`, default-constructed when new (second = true).
  std::pair<V*, bool> find_or_insert(const Prefix& prefix) {
    if (prefix.family() == Family::ipv4) {
      const uint64_t key = v4_key(prefix);
      auto [slot, inserted] = v4_.find_or_insert(key, [key](const V4Slot& s) { return s.key == key; });
      if (inserted) slot->key = key;
      return {&slot->value, inserted};
    }
    const V6Slot probe = v6_probe(prefix);
    auto [slot, inserted] =
        v6_.find_or_insert(V6Traits::hash(probe), [&](const V6Slot& s) { return same_key(s, probe); });
    if (inserted) {
      slot->high = probe.high;
      slot->low = probe.low;
      slot->length = probe.length;
    }
    return {&slot->value, inserted};
  }

  // See FlatTable::prefetch.
  void prefetch(const Prefix& prefix) const {
    if (prefix.family() == Family::ipv4)
      v4_.prefetch(v4_key(prefix));
    else
      v6_.prefetch(V6Traits::hash(v6_probe(prefix)));
  }

  bool erase(const Prefix& prefix) {
    if (prefix.family() == Family::ipv4) {
      const uint64_t key = v4_key(prefix);
      V4Slot* slot = v4_.find(key, [key](const V4Slot& s) { return s.key == key; });
      if (!slot) return false;
      v4_.erase(slot);
      return true;
    }
    const V6Slot probe = v6_probe(prefix);
    V6Slot* slot = v6_.find(V6Traits::hash(probe), [&](const V6Slot& s) { return same_key(s, probe); });
    if (!slot) return false;
    v6_.erase(slot);
    return true;
  }

  // Removes the entry whose value find()/find_or_insert() returned (a
  // prefix of `family`), without looking it up again.
  void erase_found(Family family, V* value) {
    if (family == Family::ipv4)
      v4_.erase(slot_of<V4Slot>(value));
    else
      v6_.erase(slot_of<V6Slot>(value));
  }

  size_t size() const { return v4_.size() + v6_.size(); }
  size_t size(Family family) const { return family == Family::ipv4 ? v4_.size() : v6_.size(); }
  size_t memory_bytes() const { return v4_.memory_bytes() + v6_.memory_bytes(); }

  // visit(const Prefix&, V&) for every entry, IPv4 first, in no useful order.
  // The visitor must not insert into or erase from this map.
  template <class Visit>
  void for_each(Visit&& visit) const {
    v4_.for_each([&](V4Slot& s) { visit(v4_prefix(s.key), s.value); });
    v6_.for_each([&](V6Slot& s) { visit(v6_prefix(s), s.value); });
  }

  // Where a scan() resumes: IPv4 first, then IPv6.
  struct Cursor {
    bool ipv6 = false;
    uint64_t position = 0;  // see FlatTable::scan
  };
  // visit(const Prefix&, V&) for the next entries, about `budget` of them,
  // correct across insertions and erasures between calls (FlatTable::scan).
  // True when every entry present throughout the walk was visited once.
  template <class Visit>
  bool scan(Cursor& cursor, size_t budget, Visit&& visit) const {
    size_t visited = 0;
    if (!cursor.ipv6) {
      auto visit_v4 = [&](V4Slot& s) {
        visit(v4_prefix(s.key), s.value);
        ++visited;
      };
      if (!v4_.scan(cursor.position, budget, visit_v4)) return false;
      cursor = Cursor{true, 0};
    }
    if (visited >= budget && v6_.size() > 0) return false;
    return v6_.scan(cursor.position, budget - visited, [&](V6Slot& s) { visit(v6_prefix(s), s.value); });
  }

  void clear() {
    v4_.clear();
    v6_.clear();
  }

private:
  static constexpr uint64_t empty_v4 = ~uint64_t{0};  // length byte 0xff never occurs
  static constexpr uint8_t empty_v6 = 0xff;

  struct V4Slot {
    uint64_t key = empty_v4;
    V value{};
  };
  struct V4Traits {
    static bool is_empty(const V4Slot& s) { return s.key == empty_v4; }
    static void clear(V4Slot& s) {
      s.key = empty_v4;
      s.value = V{};
    }
    static uint64_t hash(const V4Slot& s) { return s.key; }
  };
  struct V6Slot {
    uint64_t high = 0;
    uint64_t low = 0;
    uint8_t length = empty_v6;
    V value{};
  };
  struct V6Traits {
    static bool is_empty(const V6Slot& s) { return s.length == empty_v6; }
    static void clear(V6Slot& s) {
      s.length = empty_v6;
      s.value = V{};
    }
    static uint64_t hash(const V6Slot& s) {
      return s.high ^ mix_hash(s.low ^ (uint64_t{s.length} << 56)) ^ s.length;
    }
  };

  // The slot holding `value` (a pointer to its `value` member).
  template <class Slot>
  static Slot* slot_of(V* value) {
    return reinterpret_cast<Slot*>(reinterpret_cast<char*>(value) - offsetof(Slot, value));
  }

  static uint64_t v4_key(const Prefix& p) {
    return (uint64_t{p.address().v4_host_order()} << 8) | static_cast<uint64_t>(p.length());
  }
  static Prefix v4_prefix(uint64_t key) {
    return Prefix::make_masked(IpAddress::v4(static_cast<uint32_t>(key >> 8)), static_cast<int>(key & 0xff));
  }
  static V6Slot v6_probe(const Prefix& p) {
    V6Slot s;
    const auto& raw = p.address().raw();
    std::memcpy(&s.high, raw.data(), 8);
    std::memcpy(&s.low, raw.data() + 8, 8);
    s.length = static_cast<uint8_t>(p.length());
    return s;
  }
  static Prefix v6_prefix(const V6Slot& s) {
    uint8_t bytes[16];
    std::memcpy(bytes, &s.high, 8);
    std::memcpy(bytes + 8, &s.low, 8);
    return Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, bytes), s.length);
  }
  static bool same_key(const V6Slot& a, const V6Slot& b) {
    return a.high == b.high && a.low == b.low && a.length == b.length;
  }

  mutable FlatTable<V4Slot, V4Traits> v4_;
  mutable FlatTable<V6Slot, V6Traits> v6_;
};

}  // namespace halink::bgp
