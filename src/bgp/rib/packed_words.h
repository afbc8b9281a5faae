// A short immutable run of 32-bit words, held inline when it fits.
//
// The interned pieces of attribute sets (an AS_PATH, a route's community
// lists) are a handful of numbers each. Kept as their decoded types they
// cost two or three heap blocks apiece (a vector of segments, each with a
// vector of ASNs), and loading a full table creates one such piece per new
// attribute set: the allocations and their headers were a visible part of
// the load and of the bytes per set. Packed as words they live inside the
// interned node itself: up to `inline_capacity` words (an AS path of up to
// ten ASNs, or up to eight communities) need no block of their own, longer
// ones one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace halink::bgp {

class PackedWords {
public:
  static constexpr size_t inline_capacity = 11;

  PackedWords() = default;
  // `size` words, uninitialised: the caller fills data() before use.
  explicit PackedWords(size_t size) : size_(static_cast<uint32_t>(size)) {
    if (size > inline_capacity) set_heap(new uint32_t[size]);
  }
  PackedWords(const PackedWords& other) : PackedWords(other.size_) {
    if (size_) std::memcpy(data(), other.data(), size_ * sizeof(uint32_t));
  }
  PackedWords(PackedWords&& other) noexcept : size_(other.size_) {
    std::memcpy(words_, other.words_, sizeof words_);
    other.size_ = 0;
  }
  PackedWords& operator=(PackedWords other) noexcept {
    std::swap(size_, other.size_);
    std::swap(words_, other.words_);
    return *this;
  }
  ~PackedWords() {
    if (size_ > inline_capacity) delete[] heap();
  }

  size_t size() const { return size_; }
  uint32_t* data() { return size_ > inline_capacity ? heap() : words_; }
  const uint32_t* data() const { return size_ > inline_capacity ? heap() : words_; }
  const uint32_t* begin() const { return data(); }
  const uint32_t* end() const { return data() + size_; }

  bool operator==(const PackedWords& other) const {
    return size_ == other.size_ && (size_ == 0 || std::memcmp(data(), other.data(), size_ * sizeof(uint32_t)) == 0);
  }

private:
  // A longer run's block pointer is kept in the inline words: no union
  // member of pointer alignment, so the whole object is 48 bytes.
  uint32_t* heap() const {
    uint32_t* pointer;
    std::memcpy(&pointer, words_, sizeof pointer);
    return pointer;
  }
  void set_heap(uint32_t* pointer) { std::memcpy(words_, &pointer, sizeof pointer); }

  uint32_t size_ = 0;
  uint32_t words_[inline_capacity] = {};
};
static_assert(sizeof(PackedWords) == 48);

}  // namespace halink::bgp
