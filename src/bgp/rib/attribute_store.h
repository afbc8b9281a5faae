// Interned path attribute sets.
//
// A full table has about a million paths but only a few hundred thousand
// distinct attribute combinations, and every path learned from one UPDATE has
// the same attributes. So attributes are hash-consed: AttributeStore keeps
// one AttrSet per distinct PathAttributes value, and paths hold an AttrSetRef
// (one pointer, reference counted). Equal attributes ⇒ the same pointer, so
// "did the attributes change?" is a pointer comparison, and the values the
// decision process compares on every update are computed once per set
// (DecisionKey) instead of once per comparison.
//
// Single-threaded by design (the BGP loop owns the RIB): the reference count
// is a plain integer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bgp/rib/flat_table.h"
#include "bgp/wire/attributes.h"

namespace halink::bgp {

class AttributeStore;

// The attribute values the decision process (RFC 4271 §9.1.2.2) reads,
// derived once when the set is interned.
struct DecisionKey {
  bool has_local_pref = false;
  uint32_t local_pref = 0;
  uint32_t as_path_length = 0;  // AsPath::decision_length()
  Origin origin = Origin::incomplete;
  bool has_med = false;
  uint32_t med = 0;
  uint32_t neighbor_as = 0;  // first AS of the path; 0 = empty path (local or iBGP-originated)
  bool has_originator_id = false;
  uint32_t originator_id = 0;
  uint32_t cluster_list_length = 0;

  static DecisionKey of(const PathAttributes& attrs);
};

struct AttrSet {
  PathAttributes attributes;
  DecisionKey decision;
  uint64_t hash = 0;
  uint32_t references = 0;
  AttributeStore* store = nullptr;
};

// A counted reference to an interned attribute set; null when empty.
class AttrSetRef {
public:
  AttrSetRef() = default;
  AttrSetRef(const AttrSetRef& other) : set_(other.set_) { acquire(); }
  AttrSetRef(AttrSetRef&& other) noexcept : set_(other.set_) { other.set_ = nullptr; }
  AttrSetRef& operator=(const AttrSetRef& other) {
    if (set_ != other.set_) {
      AttrSetRef copy(other);
      std::swap(set_, copy.set_);
    }
    return *this;
  }
  AttrSetRef& operator=(AttrSetRef&& other) noexcept {
    if (this != &other) {
      release();
      set_ = other.set_;
      other.set_ = nullptr;
    }
    return *this;
  }
  ~AttrSetRef() { release(); }

  explicit operator bool() const { return set_ != nullptr; }
  const PathAttributes& operator*() const { return set_->attributes; }
  const PathAttributes* operator->() const { return &set_->attributes; }
  const PathAttributes& attributes() const { return set_->attributes; }
  const DecisionKey& decision() const { return set_->decision; }
  const AttrSet* get() const { return set_; }
  uint32_t use_count() const { return set_ ? set_->references : 0; }
  void reset() { release(); }

  // Interned sets are unique, so identity is equality.
  bool operator==(const AttrSetRef& other) const { return set_ == other.set_; }

private:
  friend class AttributeStore;
  explicit AttrSetRef(AttrSet* set) : set_(set) { acquire(); }
  void acquire() {
    if (set_) ++set_->references;
  }
  inline void release();

  AttrSet* set_ = nullptr;
};

class AttributeStore {
public:
  AttributeStore() = default;
  AttributeStore(const AttributeStore&) = delete;
  AttributeStore& operator=(const AttributeStore&) = delete;
  // References that outlive the store keep their set alive on their own.
  ~AttributeStore();

  // The shared set equal to `attrs`, created on first use.
  AttrSetRef intern(const PathAttributes& attrs);
  AttrSetRef intern(PathAttributes&& attrs);

  size_t size() const { return table_.size(); }
  // Bytes held by the index itself (not the sets' own allocations).
  size_t index_bytes() const { return table_.memory_bytes(); }

private:
  friend class AttrSetRef;
  template <class Attrs>
  AttrSetRef intern_impl(Attrs&& attrs);
  void erase(AttrSet* set);

  // The hash sits next to the pointer so a probe compares it without
  // touching the set (a cache miss per probed slot otherwise).
  struct Slot {
    AttrSet* set = nullptr;
    uint64_t hash = 0;
  };
  struct SlotTraits {
    static bool is_empty(const Slot& slot) { return slot.set == nullptr; }
    static void clear(Slot& slot) { slot.set = nullptr; }
    static uint64_t hash(const Slot& slot) { return slot.hash; }
  };
  FlatTable<Slot, SlotTraits> table_;
};

inline void AttrSetRef::release() {
  if (set_ && --set_->references == 0) {
    if (set_->store)
      set_->store->erase(set_);
    else
      delete set_;  // its store is gone (see ~AttributeStore)
  }
  set_ = nullptr;
}

}  // namespace halink::bgp
