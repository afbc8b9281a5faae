#include "bfd/sha1.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using namespace halink::bfd;

namespace {

std::string hex(const Sha1Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

// FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values").
TEST(Sha1, FipsVectors) {
  EXPECT_EQ(hex(sha1(bytes_of(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1(bytes_of("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(
      hex(sha1(bytes_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
                        "nopqrsmnopqrstnopqrstu"))),
      "a49b2446a02c645bf419f995b67091253a04a259");
}

TEST(Sha1, MillionTimesA) {
  std::string a(1'000'000, 'a');
  EXPECT_EQ(hex(sha1(bytes_of(a))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, IncrementalEqualsOneShotAtEveryBlockBoundary) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
  for (size_t split = 0; split <= text.size(); split += 7) {
    Sha1 h;
    h.update(bytes_of(std::string_view(text).substr(0, split)));
    h.update(bytes_of(std::string_view(text).substr(split)));
    EXPECT_EQ(h.finish(), sha1(bytes_of(text))) << "split at " << split;
  }
  // Padding edge cases: 55, 56 and 64 octets.
  for (size_t n : {55u, 56u, 63u, 64u, 65u}) {
    Sha1 h;
    for (size_t i = 0; i < n; ++i) h.update(bytes_of(std::string_view(text).substr(i, 1)));
    EXPECT_EQ(h.finish(), sha1(bytes_of(std::string_view(text).substr(0, n)))) << n;
  }
}
