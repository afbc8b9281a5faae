// The candidate paths for one prefix in the Loc-RIB, at most one per peer.
//
// A prefix has 1–8 paths in practice and most have exactly one, so the first
// path is stored inline (no allocation) and only a second one moves the list
// to the heap. 24 bytes per prefix.
//
// Order carries the decision's result: after DecisionProcess ran, [0] is the
// best path and [0, multipath_count()) is the multipath set. A list with
// multipath_count() == 0 has no usable path (e.g. every next hop unresolvable).
#pragma once

#include <cstdint>
#include <new>
#include <utility>

#include "bgp/rib/path.h"

namespace halink::bgp {

class PathList {
public:
  PathList() {}
  PathList(PathList&& other) noexcept { take(other); }
  PathList& operator=(PathList&& other) noexcept {
    if (this != &other) {
      destroy();
      take(other);
    }
    return *this;
  }
  PathList(const PathList&) = delete;
  PathList& operator=(const PathList&) = delete;
  ~PathList() { destroy(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Path* begin() { return data(); }
  Path* end() { return data() + size_; }
  const Path* begin() const { return data(); }
  const Path* end() const { return data() + size_; }
  Path& operator[](size_t i) { return data()[i]; }
  const Path& operator[](size_t i) const { return data()[i]; }

  Path* find(PeerId peer) {
    for (Path& p : *this)
      if (p.peer == peer) return &p;
    return nullptr;
  }

  void push_back(Path path) {
    if (size_ == capacity_) grow();
    new (data() + size_) Path(std::move(path));
    ++size_;
  }

  // Removes `at` (a pointer into this list); the last path takes its place.
  void erase(Path* at) {
    Path* last = data() + size_ - 1;
    if (at != last) *at = std::move(*last);
    last->~Path();
    --size_;
    if (multipath_count_ > size_) multipath_count_ = static_cast<uint16_t>(size_);
    if (!is_inline() && size_ <= 1) shrink_to_inline();
  }

  size_t multipath_count() const { return multipath_count_; }
  void set_multipath_count(size_t n) { multipath_count_ = static_cast<uint16_t>(n); }
  const Path* best() const { return multipath_count_ ? data() : nullptr; }

private:
  bool is_inline() const { return capacity_ == 1; }
  Path* data() { return is_inline() ? &storage_.one : storage_.many; }
  const Path* data() const { return is_inline() ? &storage_.one : storage_.many; }

  static Path* allocate(size_t n) { return static_cast<Path*>(::operator new(n * sizeof(Path))); }

  void grow() {
    const size_t new_capacity = is_inline() ? 2 : size_t{capacity_} * 2;
    Path* fresh = allocate(new_capacity);
    Path* old = data();
    for (size_t i = 0; i < size_; ++i) {
      new (fresh + i) Path(std::move(old[i]));
      old[i].~Path();
    }
    if (!is_inline()) ::operator delete(storage_.many);
    storage_.many = fresh;
    capacity_ = static_cast<uint16_t>(new_capacity);
  }

  void shrink_to_inline() {
    Path* heap = storage_.many;
    capacity_ = 1;
    if (size_ == 1) {
      new (&storage_.one) Path(std::move(heap[0]));
      heap[0].~Path();
    }
    ::operator delete(heap);
  }

  void destroy() {
    Path* d = data();
    for (size_t i = 0; i < size_; ++i) d[i].~Path();
    if (!is_inline()) ::operator delete(storage_.many);
    size_ = 0;
    capacity_ = 1;
    multipath_count_ = 0;
  }

  void take(PathList& other) {
    size_ = other.size_;
    capacity_ = other.capacity_;
    multipath_count_ = other.multipath_count_;
    if (other.is_inline()) {
      if (other.size_ == 1) {
        new (&storage_.one) Path(std::move(other.storage_.one));
        other.storage_.one.~Path();
      }
    } else {
      storage_.many = other.storage_.many;
    }
    other.size_ = 0;
    other.capacity_ = 1;
    other.multipath_count_ = 0;
  }

  union Storage {
    Storage() {}
    ~Storage() {}
    Path one;
    Path* many;
  } storage_;
  uint16_t size_ = 0;
  uint16_t capacity_ = 1;
  uint16_t multipath_count_ = 0;
};

}  // namespace halink::bgp
