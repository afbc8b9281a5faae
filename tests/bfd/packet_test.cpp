#include "bfd/packet.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace halink::bfd;

namespace {

ControlPacket sample() {
  ControlPacket p;
  p.diag = Diag::control_detection_time_expired;
  p.state = State::up;
  p.poll = true;
  p.detect_mult = 3;
  p.my_discriminator = 0x01020304;
  p.your_discriminator = 0x0a0b0c0d;
  p.desired_min_tx_us = 50'000;
  p.required_min_rx_us = 300'000;
  p.required_min_echo_rx_us = 0;
  return p;
}

std::vector<uint8_t> encoded(const ControlPacket& p) {
  PacketBuffer b = encode_control_packet(p);
  return {b.bytes().begin(), b.bytes().end()};
}

}  // namespace

TEST(Packet, WireLayoutFollowsRfc5880Section4_1) {
  std::vector<uint8_t> b = encoded(sample());
  ASSERT_EQ(b.size(), 24u);
  EXPECT_EQ(b[0], (1 << 5) | 1);     // version 1, diag 1
  EXPECT_EQ(b[1], (3 << 6) | 0x20);  // Up, Poll
  EXPECT_EQ(b[2], 3);                // Detect Mult
  EXPECT_EQ(b[3], 24);               // Length
  EXPECT_EQ(b[4], 0x01);
  EXPECT_EQ(b[7], 0x04);
  EXPECT_EQ(b[8], 0x0a);
  EXPECT_EQ(b[11], 0x0d);
  EXPECT_EQ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15], 50'000);
  EXPECT_EQ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], 300'000);
}

TEST(Packet, RoundTrip) {
  ControlPacket p = sample();
  p.poll = false;
  p.final = true;
  p.control_plane_independent = true;
  p.demand = true;
  DecodedPacket d = decode_control_packet(encoded(p));
  ASSERT_TRUE(d.ok()) << drop_reason_name(d.drop);
  EXPECT_EQ(d.packet.diag, p.diag);
  EXPECT_EQ(d.packet.state, p.state);
  EXPECT_FALSE(d.packet.poll);
  EXPECT_TRUE(d.packet.final);
  EXPECT_TRUE(d.packet.control_plane_independent);
  EXPECT_TRUE(d.packet.demand);
  EXPECT_FALSE(d.packet.authentication_present);
  EXPECT_EQ(d.packet.detect_mult, 3);
  EXPECT_EQ(d.packet.length, 24);
  EXPECT_EQ(d.packet.my_discriminator, p.my_discriminator);
  EXPECT_EQ(d.packet.your_discriminator, p.your_discriminator);
  EXPECT_EQ(d.packet.desired_min_tx_us, 50'000u);
  EXPECT_EQ(d.packet.required_min_rx_us, 300'000u);
}

TEST(Packet, AuthSectionHeaderRoundTrips) {
  ControlPacket p = sample();
  p.authentication_present = true;
  p.auth_type = AuthType::meticulous_keyed_sha1;
  p.auth_length = 28;
  std::vector<uint8_t> b = encoded(p);
  ASSERT_EQ(b.size(), 52u);
  EXPECT_EQ(b[1] & 0x04, 0x04);
  DecodedPacket d = decode_control_packet(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.packet.auth_type, AuthType::meticulous_keyed_sha1);
  EXPECT_EQ(d.packet.auth_length, 28);
}

TEST(Packet, PayloadLongerThanLengthIsAccepted) {
  std::vector<uint8_t> b = encoded(sample());
  b.resize(40, 0xee);
  EXPECT_TRUE(decode_control_packet(b).ok());
}

// RFC 5880 §6.8.6, one test per rule that depends on the packet alone.
TEST(PacketReceptionChecks, EachMalformedPacketIsDroppedWithItsReason) {
  auto check = [](std::vector<uint8_t> b, DropReason want) {
    DecodedPacket d = decode_control_packet(b);
    EXPECT_EQ(d.drop, want) << "got " << drop_reason_name(d.drop) << ", want " << drop_reason_name(want);
  };
  std::vector<uint8_t> good = encoded(sample());
  ASSERT_TRUE(decode_control_packet(good).ok());

  check({}, DropReason::truncated);
  check({0x20, 0xc0}, DropReason::truncated);

  auto b = good;
  b[0] = (2 << 5);  // version 2
  check(b, DropReason::bad_version);
  b[0] = 0;  // version 0
  check(b, DropReason::bad_version);

  b = good;
  b[3] = 23;  // Length below 24
  check(b, DropReason::length_too_short);
  b = good;
  b[1] |= 0x04;  // A bit set but Length 24 < 26
  check(b, DropReason::length_too_short);
  b[3] = 25;
  check(b, DropReason::length_too_short);

  b = good;
  b[3] = 25;  // Length beyond the 24 octets received
  check(b, DropReason::length_exceeds_payload);
  b = good;
  b.resize(20);
  check(b, DropReason::length_exceeds_payload);

  b = good;
  b[2] = 0;
  check(b, DropReason::detect_mult_zero);

  b = good;
  b[1] |= 0x01;
  check(b, DropReason::multipoint_set);

  b = good;
  b[1] |= 0x30;  // Poll and Final together (§6.5)
  check(b, DropReason::poll_and_final_set);

  b = good;
  b[4] = b[5] = b[6] = b[7] = 0;
  check(b, DropReason::my_discriminator_zero);

  for (State s : {State::init, State::up}) {
    b = good;
    b[8] = b[9] = b[10] = b[11] = 0;
    b[1] = static_cast<uint8_t>((static_cast<uint8_t>(s) << 6));
    check(b, DropReason::your_discriminator_zero_not_down);
  }
  for (State s : {State::down, State::admin_down}) {
    b = good;
    b[8] = b[9] = b[10] = b[11] = 0;
    b[1] = static_cast<uint8_t>((static_cast<uint8_t>(s) << 6));
    check(b, DropReason::none);
  }

  // Authentication Section whose Auth Len runs past Length, or is below 2.
  b = good;
  b[1] |= 0x04;
  b.resize(30, 0);
  b[3] = 30;
  b[24] = static_cast<uint8_t>(AuthType::keyed_sha1);
  b[25] = 28;
  check(b, DropReason::auth_section_malformed);
  b[25] = 1;
  check(b, DropReason::auth_section_malformed);
  b[25] = 6;
  check(b, DropReason::none);
}

TEST(Packet, DecodingArbitraryBytesNeverCrashes) {
  std::mt19937 gen(5880);
  std::vector<uint8_t> base = encoded(sample());
  size_t accepted = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::vector<uint8_t> b;
    if (i % 2 == 0) {
      b.resize(gen() % 80);
      for (auto& x : b) x = static_cast<uint8_t>(gen());
    } else {
      b = base;  // mutate a valid packet: reaches the deeper checks
      b.resize(gen() % 64, 0);
      for (int k = 0; k < 3; ++k) {
        if (!b.empty()) b[gen() % b.size()] = static_cast<uint8_t>(gen());
      }
    }
    DecodedPacket d = decode_control_packet(b);
    if (d.ok()) {
      ++accepted;
      EXPECT_LE(d.packet.length, b.size());
    }
  }
  EXPECT_GT(accepted, 0u);
}

TEST(Packet, NamesForEveryCode) {
  EXPECT_EQ(diag_name(Diag::none), "No Diagnostic");
  EXPECT_EQ(diag_name(Diag::control_detection_time_expired), "Control Detection Time Expired");
  EXPECT_EQ(diag_name(Diag::echo_function_failed), "Echo Function Failed");
  EXPECT_EQ(diag_name(Diag::neighbor_signaled_session_down), "Neighbor Signaled Session Down");
  EXPECT_EQ(diag_name(Diag::forwarding_plane_reset), "Forwarding Plane Reset");
  EXPECT_EQ(diag_name(Diag::path_down), "Path Down");
  EXPECT_EQ(diag_name(Diag::concatenated_path_down), "Concatenated Path Down");
  EXPECT_EQ(diag_name(Diag::administratively_down), "Administratively Down");
  EXPECT_EQ(diag_name(Diag::reverse_concatenated_path_down), "Reverse Concatenated Path Down");
  EXPECT_EQ(diag_name(static_cast<Diag>(12)), "reserved (12)");
  EXPECT_STREQ(state_name(State::admin_down), "AdminDown");
  EXPECT_STREQ(state_name(State::init), "Init");
  for (size_t r = 0; r < drop_reason_count; ++r) {
    EXPECT_STRNE(drop_reason_name(static_cast<DropReason>(r)), "?");
  }
}
