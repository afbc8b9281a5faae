// Interned path attribute sets, in a compact form.
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
// Why not keep the decoded PathAttributes in the set: it is 256 bytes before
// its vectors, and a set cost ~410 bytes in all; with every upstream
// contributing its own ~300,000 sets (its own NEXT_HOP) that was most of the
// RIB. An AttrSet keeps inline only what differs from upstream to upstream
// and what the decision process reads (NEXT_HOP, the DecisionKey) and refers
// to interned, shared pieces for the rest (intern_pool.h): the AS_PATH, the
// community lists, and the rarely present attributes. About 104 bytes per
// set plus its share of the pieces.
//
// The decoded form is still available — attributes() rebuilds it (see
// SharedAttributes) — but hot paths read the accessors (next_hop(),
// decision()) which cost nothing.
//
// Single-threaded by design (the BGP loop owns the RIB): the reference counts
// are plain integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bgp/rib/flat_table.h"
#include "bgp/rib/intern_pool.h"
#include "bgp/rib/packed_words.h"
#include "bgp/rib/slab.h"
#include "bgp/wire/attributes.h"

namespace halink::bgp {

class AttributeStore;

// The attribute values the decision process (RFC 4271 §9.1.2.2) reads,
// derived once when the set is interned. Ordered for size (28 bytes).
struct DecisionKey {
  uint32_t local_pref = 0;
  uint32_t as_path_length = 0;  // AsPath::decision_length()
  uint32_t med = 0;
  uint32_t neighbor_as = 0;  // first AS of the path; 0 = empty path (local or iBGP-originated)
  uint32_t originator_id = 0;
  uint32_t cluster_list_length = 0;
  Origin origin = Origin::incomplete;
  bool has_local_pref = false;
  bool has_med = false;
  bool has_originator_id = false;

  static DecisionKey of(const PathAttributes& attrs);
  bool operator==(const DecisionKey&) const = default;
};

// Attributes most paths lack, interned as one piece (null when all absent).
// ORIGINATOR_ID lives in the DecisionKey.
struct RareAttributes {
  std::optional<IpAddress> link_local_next_hop;  // RFC 2545 §3
  std::optional<Aggregator> aggregator;
  std::vector<uint32_t> cluster_list;  // RFC 4456
  std::vector<UnknownAttribute> unknown;
  bool operator==(const RareAttributes&) const = default;
};

// From the slab (slab.h): a full table creates hundreds of thousands.
struct AttrSet : SlabAllocated {
  uint32_t references = 0;
  DecisionKey decision;
  uint64_t hash = 0;
  AttributeStore* store = nullptr;  // null once the store is gone
  // The AS_PATH packed (per segment a word with its type and ASN count,
  // then the ASNs); null: no AS_PATH attribute.
  InternRef<PackedWords> as_path;
  // The RFC 1997, RFC 4360 and RFC 8092 lists of the path, interned as one
  // piece (they come from the route's origin and repeat across upstreams),
  // packed: the three counts, then the values (an extended community as two
  // words, high first; a large one as three). Null: all three empty.
  InternRef<PackedWords> communities;
  InternRef<RareAttributes> rare;
  IpAddress next_hop;
  bool has_next_hop = false;
  bool has_origin = false;
  bool atomic_aggregate = false;

  // Whether this set holds exactly `attrs`.
  bool equals(const PathAttributes& attrs) const;
  // Whether the two sets differ at most in NEXT_HOP (the pieces are
  // interned, so comparing them is comparing pointers).
  bool same_except_next_hop(const AttrSet& other) const;
  // The decoded form, rebuilt.
  PathAttributes decode() const;
};

// The decoded attributes of a set, shared: a handle that converts to
// `const PathAttributes&`. The store rebuilds the decoded form once per
// set and keeps the last one, so a caller handing the same set's
// attributes() to policy for every prefix of an UPDATE pays once.
// Keep the handle (not a reference obtained from it) to keep the value.
class SharedAttributes {
public:
  explicit SharedAttributes(std::shared_ptr<const PathAttributes> value) : value_(std::move(value)) {}
  const PathAttributes& get() const { return *value_; }
  operator const PathAttributes&() const { return *value_; }
  const PathAttributes& operator*() const { return *value_; }
  const PathAttributes* operator->() const { return value_.get(); }

private:
  std::shared_ptr<const PathAttributes> value_;
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

  // Direct reads, no decoding.
  const DecisionKey& decision() const { return set_->decision; }
  const IpAddress* next_hop() const { return set_->has_next_hop ? &set_->next_hop : nullptr; }
  const IpAddress* link_local_next_hop() const {
    return set_->rare && set_->rare->link_local_next_hop ? &*set_->rare->link_local_next_hop : nullptr;
  }
  // RFC 2545 §3: NEXT_HOP, or for IPv6 the link-local next hop of MP_REACH
  // when no global one was given.
  IpAddress forwarding_address() const;
  // The AS_PATH (decoded from its packed form), if present.
  std::optional<AsPath> as_path() const;

  // The decoded attributes (rebuilt, see SharedAttributes).
  SharedAttributes attributes() const;
  SharedAttributes operator*() const { return attributes(); }
  SharedAttributes operator->() const { return attributes(); }

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

  size_t size() const { return table_.size(); }
  // Shared pieces, for inspection and the benchmark.
  size_t as_path_count() const { return as_paths_.size(); }
  size_t community_list_count() const { return communities_.size(); }
  // Bytes held by the indexes themselves (not the sets' own allocations).
  size_t index_bytes() const {
    return table_.memory_bytes() + as_paths_.index_bytes() + communities_.index_bytes() + rare_.index_bytes();
  }

private:
  friend class AttrSetRef;
  void erase(AttrSet* set);
  SharedAttributes decoded(const AttrSet* set);

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
  // Pieces first: sets release their pieces when the table goes.
  InternPool<PackedWords> as_paths_;
  InternPool<PackedWords> communities_;
  InternPool<RareAttributes> rare_;
  FlatTable<Slot, SlotTraits> table_;
  // The last decoded set (see SharedAttributes).
  const AttrSet* decoded_set_ = nullptr;
  std::shared_ptr<const PathAttributes> decoded_;
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
