// SHA-1 (FIPS 180-4 §6.1), for BFD Keyed SHA1 authentication (RFC 5880 §6.7.4).
//
// SHA-1 is no longer collision resistant, but RFC 5880 fixes it for keyed
// authentication, where only a secret-suffix preimage matters. A local
// implementation keeps the protocol core free of crypto-library and system
// dependencies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace halink::bfd {

using Sha1Digest = std::array<uint8_t, 20>;

// Incremental hashing: update() any number of times, then finish() once.
class Sha1 {
 public:
  Sha1();
  void update(std::span<const uint8_t> data);
  Sha1Digest finish();

 private:
  void process_block(const uint8_t* block);

  std::array<uint32_t, 5> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

Sha1Digest sha1(std::span<const uint8_t> data);

}  // namespace halink::bfd
