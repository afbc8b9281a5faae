// An open-addressing hash table with linear probing, used for every RIB index.
//
// Why not std::unordered_map: a full table is a million prefixes per RIB, and
// a node-based map costs one allocation (≥32 bytes) plus a bucket pointer per
// entry and a cache miss per lookup. Here an entry is stored in the slot array
// itself, an empty slot is recognised by a sentinel key (no metadata bytes),
// deletion shifts followers back (no tombstones), and the capacity grows by
// 1.5× with a multiply-shift range reduction, so memory stays within ~1.9×
// of the live entries instead of the 2–4× of power-of-two tables.
//
// Traits must provide:
//   static bool is_empty(const Slot&);
//   static void clear(Slot&);          // make the slot empty (and release what it owns)
//   static uint64_t hash(const Slot&); // the hash a lookup for this slot's key computes
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "bgp/rib/table_memory.h"

namespace halink::bgp {

// A strong 64-bit mixer (the finaliser of MurmurHash3): prefix keys have
// structured low bits, so they must be spread before range reduction.
constexpr uint64_t mix_hash(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

template <class Slot, class Traits>
class FlatTable {
public:
  FlatTable() = default;
  FlatTable(FlatTable&& other) noexcept { swap(other); }
  FlatTable& operator=(FlatTable&& other) noexcept {
    FlatTable moved(std::move(other));
    swap(moved);
    return *this;
  }
  FlatTable(const FlatTable&) = delete;
  FlatTable& operator=(const FlatTable&) = delete;
  ~FlatTable() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  size_t memory_bytes() const { return capacity_ * sizeof(Slot); }

  // The slot whose key satisfies `matches`, or nullptr.
  template <class Matches>
  Slot* find(uint64_t hash, Matches&& matches) const {
    if (capacity_ == 0) return nullptr;
    for (size_t i = home(hash);; i = next(i)) {
      Slot& slot = slots_[i];
      if (Traits::is_empty(slot)) return nullptr;
      if (matches(slot)) return &slot;
    }
  }

  // Starts loading the cache line a lookup of `hash` will read first: a
  // caller holding several keys (the NLRI of one UPDATE) overlaps the
  // memory latency of the next lookups with the current one.
  void prefetch(uint64_t hash) const {
    if (capacity_ != 0) __builtin_prefetch(&slots_[home(hash)]);
  }

  // The slot with this key (second = false), or an empty slot reserved for
  // it (second = true) that the caller must fill with the key before any
  // other call on the table.
  template <class Matches>
  std::pair<Slot*, bool> find_or_insert(uint64_t hash, Matches&& matches) {
    if ((size_ + 1) * 5 > capacity_ * 4) grow();  // keep load ≤ 0.8
    for (size_t i = home(hash);; i = next(i)) {
      Slot& slot = slots_[i];
      if (Traits::is_empty(slot)) {
        ++size_;
        return {&slot, true};
      }
      if (matches(slot)) return {&slot, false};
    }
  }

  // Removes a slot returned by find()/find_or_insert(), shifting later
  // members of its probe run back so lookups never need tombstones.
  void erase(Slot* slot) {
    size_t hole = static_cast<size_t>(slot - slots_);
    Traits::clear(slots_[hole]);
    --size_;
    for (size_t i = next(hole);; i = next(i)) {
      Slot& candidate = slots_[i];
      if (Traits::is_empty(candidate)) return;
      const size_t want = home(Traits::hash(candidate));
      // Move back when the hole lies cyclically in [want, i).
      const bool movable = hole <= i ? (want <= hole || want > i) : (want <= hole && want > i);
      if (movable) {
        slots_[hole] = std::move(candidate);
        Traits::clear(candidate);
        hole = i;
      }
    }
  }

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (size_t i = 0; i < capacity_; ++i)
      if (!Traits::is_empty(slots_[i])) visit(slots_[i]);
  }

  // A resumable walk that stays correct while the table changes between
  // calls (entries inserted, erased, shifted back, the table regrown),
  // for work done in bounded slices.
  //
  // The position is a point in the space of mixed hashes, not a slot index:
  // home() is monotonic in the mixed hash, so "every entry whose mixed hash
  // is in [from, to)" is a fixed set no matter how the slots move. One call
  // visits exactly the entries with mixed hash in [cursor, new cursor),
  // stopping at the first empty slot after `budget` visits (an empty slot
  // ends every probe run, so all entries homed before it were seen). Returns
  // true when the whole space is done; the visitor must not change the table.
  template <class Visit>
  bool scan(uint64_t& cursor, size_t budget, Visit&& visit) const {
    if (size_ == 0) return true;
    const size_t start = home_of_mixed(cursor);
    size_t visited = 0;
    bool wrapped = false;
    for (size_t p = start;;) {
      Slot& slot = slots_[p];
      if (Traits::is_empty(slot)) {
        if (wrapped) return true;
        if (visited >= budget && p != start) {
          cursor = first_mixed_hash_homed_at(p);
          return false;
        }
      } else {
        const uint64_t mixed = mix_hash(Traits::hash(slot));
        // Before wrapping, an entry homed after its position has wrapped
        // around the end: it belongs to the last call, not this one.
        const bool wrapped_entry = home_of_mixed(mixed) > p;
        if (mixed >= cursor && wrapped_entry == wrapped) {
          visit(slot);
          ++visited;
        }
      }
      if (++p == capacity_) {
        p = 0;
        wrapped = true;
      }
      if (wrapped && p == start) return true;  // a table without empty slots
    }
  }

  void clear() {
    FlatTable empty;
    swap(empty);
  }

  void swap(FlatTable& other) noexcept {
    std::swap(slots_, other.slots_);
    std::swap(capacity_, other.capacity_);
    std::swap(size_, other.size_);
  }

private:
  size_t home(uint64_t hash) const { return home_of_mixed(mix_hash(hash)); }
  size_t home_of_mixed(uint64_t mixed) const {
    // Lemire's multiply-shift reduction: any capacity, no modulo.
    return static_cast<size_t>((static_cast<unsigned __int128>(mixed) * capacity_) >> 64);
  }
  // The smallest mixed hash whose home is slot p: ceil(p * 2^64 / capacity).
  uint64_t first_mixed_hash_homed_at(size_t p) const {
    const unsigned __int128 scaled = static_cast<unsigned __int128>(p) << 64;
    return static_cast<uint64_t>((scaled + capacity_ - 1) / capacity_);
  }
  size_t next(size_t i) const { return i + 1 == capacity_ ? 0 : i + 1; }

  static Slot* make_slots(size_t n) {
    Slot* slots = static_cast<Slot*>(allocate_table_memory(n * sizeof(Slot)));
    for (size_t i = 0; i < n; ++i) {
      new (&slots[i]) Slot();
      Traits::clear(slots[i]);
    }
    return slots;
  }
  static void destroy_slots(Slot* slots, size_t n) {
    for (size_t i = 0; i < n; ++i) slots[i].~Slot();
    free_table_memory(slots, n * sizeof(Slot));
  }

  void grow() {
    const size_t new_capacity = capacity_ < 16 ? 16 : capacity_ + capacity_ / 2;
    if (slots_ && extend_table_memory(slots_, capacity_ * sizeof(Slot), new_capacity * sizeof(Slot))) {
      rehash_in_place(new_capacity);
      return;
    }
    Slot* old = slots_;
    const size_t old_capacity = capacity_;
    slots_ = make_slots(new_capacity);
    capacity_ = new_capacity;
    for (size_t j = 0; j < old_capacity; ++j) {
      Slot& from = old[j];
      if (Traits::is_empty(from)) continue;
      size_t i = home(Traits::hash(from));
      while (!Traits::is_empty(slots_[i])) i = next(i);
      slots_[i] = std::move(from);
    }
    if (old) destroy_slots(old, old_capacity);
  }

  // After the slot array was extended where it is (table_memory.h): puts
  // every entry where the larger capacity wants it without a second array.
  // Entries are taken one at a time and carried to the first slot from
  // their new home that holds no already placed entry; an entry not placed
  // yet that sits there is carried on in turn. A placed entry never moves
  // again, so the slots from its home up to it stay occupied: the probe
  // invariant holds, as after inserting into a fresh array. Taken from the
  // back: home() is monotonic in the hash and an entry's new home is about
  // 1.5× its old position, so it lands among slots already handled (empty
  // or placed) and is moved once, in two streams walking down the array.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 at -O3 cannot see that a carried slot's inline value is read only
// when it holds one (PathList's union) and reports it as uninitialised.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  void rehash_in_place(size_t new_capacity) {
    const size_t old_capacity = capacity_;
    for (size_t i = old_capacity; i < new_capacity; ++i) {
      new (&slots_[i]) Slot();
      Traits::clear(slots_[i]);
    }
    capacity_ = new_capacity;
    std::vector<uint64_t> placed((new_capacity + 63) / 64);
    auto is_placed = [&](size_t i) { return (placed[i / 64] >> (i % 64)) & 1; };
    for (size_t i = old_capacity; i-- > 0;) {
      if (Traits::is_empty(slots_[i]) || is_placed(i)) continue;
      Slot carried = std::move(slots_[i]);
      Traits::clear(slots_[i]);
      for (;;) {
        size_t j = home(Traits::hash(carried));
        while (is_placed(j)) j = next(j);
        placed[j / 64] |= uint64_t{1} << (j % 64);
        if (Traits::is_empty(slots_[j])) {
          slots_[j] = std::move(carried);
          break;
        }
        std::swap(carried, slots_[j]);
      }
    }
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  void release() {
    if (slots_) {
      for (size_t i = 0; i < capacity_; ++i) Traits::clear(slots_[i]);
      destroy_slots(slots_, capacity_);
    }
    slots_ = nullptr;
    capacity_ = 0;
    size_ = 0;
  }

  Slot* slots_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace halink::bgp
