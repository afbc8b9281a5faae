// Big-endian byte reading and writing for the codec (RFC 4271 §4: all
// fields are in network order). Internal to src/bgp/wire.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "bgp/wire/message.h"

namespace halink::bgp::wire {

// A cursor over received bytes. Every read is bounds-checked by the caller
// through has(); the reads themselves assume it was checked.
class ByteReader {
public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool has(size_t n) const { return bytes_.size() - pos_ >= n; }
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t position() const { return pos_; }
  bool done() const { return pos_ == bytes_.size(); }
  uint8_t u8() { return bytes_[pos_++]; }
  uint16_t u16() {
    uint16_t v = uint16_t(bytes_[pos_] << 8 | bytes_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    uint32_t v = uint32_t(bytes_[pos_]) << 24 | uint32_t(bytes_[pos_ + 1]) << 16 | uint32_t(bytes_[pos_ + 2]) << 8 |
                 bytes_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  uint64_t u64() {
    uint64_t high = u32();
    return high << 32 | u32();
  }
  std::span<const uint8_t> take(size_t n) {
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::span<const uint8_t> rest() { return take(remaining()); }

private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

inline void put_u8(std::vector<uint8_t>& out, uint8_t v) { out.push_back(v); }
inline void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
inline void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
inline void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  put_u32(out, uint32_t(v >> 32));
  put_u32(out, uint32_t(v));
}
inline void put_bytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}
inline void patch_u16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = uint8_t(v >> 8);
  out[at + 1] = uint8_t(v);
}

// The 19-octet header (RFC 4271 §4.1) with the length left for finish_message.
inline void start_message(std::vector<uint8_t>& out, MessageType type) {
  out.assign(16, 0xFF);
  put_u16(out, 0);
  put_u8(out, uint8_t(type));
}
inline void finish_message(std::vector<uint8_t>& out) { patch_u16(out, 16, uint16_t(out.size())); }

// The big-endian octets of a 16-bit value, as NOTIFICATION data often needs.
inline std::vector<uint8_t> u16_bytes(uint16_t v) { return {uint8_t(v >> 8), uint8_t(v)}; }

// A whole message as it was on the wire, for NOTIFICATION data that must
// quote it (RFC 7313 §5).
inline std::vector<uint8_t> reframe(MessageType type, std::span<const uint8_t> body) {
  std::vector<uint8_t> out;
  start_message(out, type);
  put_bytes(out, body);
  finish_message(out);
  return out;
}

}  // namespace halink::bgp::wire
