// Hash-consing of immutable values shared by many attribute sets.
//
// A full table from several upstreams has a few hundred thousand attribute
// sets per upstream, but the sets of different upstreams mostly differ only
// in NEXT_HOP: the AS_PATH behind the neighbouring AS, the communities and
// the rarer attributes repeat. So those parts are interned on their own
// (BIRD keeps AS paths and community lists as separate shared blobs for the
// same reason) and an attribute set holds counted references to them.
//
// InternPool<T> keeps one node per distinct T; InternRef<T> is one counted
// pointer to a node. Equal values ⇒ the same node, so comparing two refs is
// a pointer comparison. Single-threaded (the BGP loop owns the RIB). A node
// outliving its pool (a reference kept after the pool is destroyed) detaches
// and is freed by its last reference.
#pragma once

#include <cassert>
#include <cstdint>
#include <utility>

#include "bgp/rib/flat_table.h"
#include "bgp/rib/slab.h"

namespace halink::bgp {

template <class T>
class InternPool;

// From the slab (slab.h): a new attribute set usually brings a new piece.
template <class T>
struct InternNode : SlabAllocated {
  T value;
  uint64_t hash = 0;
  uint32_t references = 0;
  InternPool<T>* pool = nullptr;
};

template <class T>
class InternRef {
public:
  InternRef() = default;
  InternRef(const InternRef& other) : node_(other.node_) { acquire(); }
  InternRef(InternRef&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  InternRef& operator=(const InternRef& other) {
    InternRef copy(other);
    std::swap(node_, copy.node_);
    return *this;
  }
  InternRef& operator=(InternRef&& other) noexcept {
    if (this != &other) {
      release();
      node_ = std::exchange(other.node_, nullptr);
    }
    return *this;
  }
  ~InternRef() { release(); }

  explicit operator bool() const { return node_ != nullptr; }
  const T& operator*() const { return node_->value; }
  const T* operator->() const { return &node_->value; }
  const T* get() const { return node_ ? &node_->value : nullptr; }
  uint64_t hash() const { return node_ ? node_->hash : 0; }
  uint32_t use_count() const { return node_ ? node_->references : 0; }
  bool operator==(const InternRef& other) const { return node_ == other.node_; }

private:
  friend class InternPool<T>;
  explicit InternRef(InternNode<T>* node) : node_(node) { acquire(); }
  void acquire() {
    if (node_) ++node_->references;
  }
  void release();

  InternNode<T>* node_ = nullptr;
};

template <class T>
class InternPool {
public:
  InternPool() = default;
  InternPool(const InternPool&) = delete;
  InternPool& operator=(const InternPool&) = delete;
  ~InternPool() {
    table_.for_each([](Slot& slot) { slot.node->pool = nullptr; });
  }

  // The shared node equal to `value` (whose hash the caller computed).
  InternRef<T> intern(const T& value, uint64_t hash) {
    return intern_with(hash, [&](const T& candidate) { return candidate == value; }, [&] { return value; });
  }
  // The same for a value the caller holds in another form: `matches(const
  // T&)` says whether a node equals it, `make()` builds it when new.
  template <class Matches, class Make>
  InternRef<T> intern_with(uint64_t hash, Matches&& matches, Make&& make) {
    auto [slot, inserted] =
        table_.find_or_insert(hash, [&](const Slot& s) { return s.hash == hash && matches(s.node->value); });
    if (inserted) *slot = Slot{new InternNode<T>{{}, make(), hash, 0, this}, hash};
    return InternRef<T>(slot->node);
  }

  // See FlatTable::prefetch.
  void prefetch(uint64_t hash) const { table_.prefetch(hash); }

  size_t size() const { return table_.size(); }
  size_t index_bytes() const { return table_.memory_bytes(); }

private:
  friend class InternRef<T>;
  void erase(InternNode<T>* node) {
    Slot* slot = table_.find(node->hash, [node](const Slot& s) { return s.node == node; });
    assert(slot);
    table_.erase(slot);
    delete node;
  }

  // The hash next to the pointer: a probe rejects a slot without a cache miss.
  struct Slot {
    InternNode<T>* node = nullptr;
    uint64_t hash = 0;
  };
  struct SlotTraits {
    static bool is_empty(const Slot& slot) { return slot.node == nullptr; }
    static void clear(Slot& slot) { slot.node = nullptr; }
    static uint64_t hash(const Slot& slot) { return slot.hash; }
  };
  FlatTable<Slot, SlotTraits> table_;
};

template <class T>
void InternRef<T>::release() {
  if (node_ && --node_->references == 0) {
    if (node_->pool)
      node_->pool->erase(node_);
    else
      delete node_;
  }
  node_ = nullptr;
}

}  // namespace halink::bgp
