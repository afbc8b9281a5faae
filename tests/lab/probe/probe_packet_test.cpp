#include "lab/probe/probe_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace halink::lab {
namespace {

ProbePacket sample() {
  ProbePacket p;
  p.kind = ProbePacketKind::data;
  p.run_id = 0x0123456789abcdefULL;
  p.flow = 63;
  p.sequence = 0xfffffffe;
  p.send_ns = 1'234'567'890'123;
  p.interval_ns = 1'000'000;
  p.first_sequence = 7;
  return p;
}

TEST(ProbePacket, RoundTripsEveryField) {
  for (auto kind : {ProbePacketKind::data, ProbePacketKind::end}) {
    ProbePacket p = sample();
    p.kind = kind;
    auto bytes = encode_probe_packet(p);
    auto decoded = decode_probe_packet(bytes);
    ASSERT_TRUE(decoded) << decoded.message();
    EXPECT_EQ(*decoded, p);
  }
}

TEST(ProbePacket, LayoutIsBigEndianWithMagicFirst) {
  auto bytes = encode_probe_packet(sample());
  EXPECT_EQ(bytes[0], 'H');
  EXPECT_EQ(bytes[1], 'L');
  EXPECT_EQ(bytes[2], 'P');
  EXPECT_EQ(bytes[3], 'R');
  EXPECT_EQ(bytes[4], 1);               // version
  EXPECT_EQ(bytes[5], 1);               // data
  EXPECT_EQ(bytes[8], 0x01);            // run id, most significant byte first
  EXPECT_EQ(bytes[19], 63);             // flow
  EXPECT_EQ(bytes[20], 0xff);           // sequence
  EXPECT_EQ(bytes[39], 7);              // first sequence
}

TEST(ProbePacket, PaddingAfterTheHeaderIsIgnored) {
  auto header = encode_probe_packet(sample());
  std::vector<uint8_t> datagram(header.begin(), header.end());
  datagram.resize(1400, 0xaa);
  auto decoded = decode_probe_packet(datagram);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, sample());
}

TEST(ProbePacket, ForeignOrDamagedDatagramsAreErrors) {
  auto bytes = encode_probe_packet(sample());
  EXPECT_FALSE(decode_probe_packet(std::span<const uint8_t>(bytes.data(), 39)));
  auto bad_magic = bytes;
  bad_magic[0] = 'X';
  EXPECT_FALSE(decode_probe_packet(bad_magic));
  auto bad_version = bytes;
  bad_version[4] = 2;
  EXPECT_FALSE(decode_probe_packet(bad_version));
  auto bad_kind = bytes;
  bad_kind[5] = 9;
  EXPECT_FALSE(decode_probe_packet(bad_kind));
  ProbePacket zero_interval = sample();
  zero_interval.interval_ns = 0;
  EXPECT_FALSE(decode_probe_packet(encode_probe_packet(zero_interval)));
}

}  // namespace
}  // namespace halink::lab
