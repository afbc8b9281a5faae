#include "bfd/auth.h"

#include <gtest/gtest.h>

#include <vector>

using namespace halink;
using namespace halink::bfd;

namespace {

AuthConfig sha1_config(AuthType type = AuthType::keyed_sha1, uint8_t key_id = 7) {
  return AuthConfig{type, key_id, {'s', 'e', 'c', 'r', 'e', 't'}};
}

PacketBuffer signed_packet(const AuthConfig& auth, uint32_t sequence, uint8_t detect_mult = 3) {
  ControlPacket p;
  p.state = State::up;
  p.detect_mult = detect_mult;
  p.my_discriminator = 1;
  p.your_discriminator = 2;
  p.desired_min_tx_us = 50'000;
  p.required_min_rx_us = 50'000;
  p.authentication_present = true;
  p.auth_type = auth.type;
  p.auth_length = auth_section_length(auth);
  PacketBuffer b = encode_control_packet(p);
  sign_packet(b, auth, sequence);
  return b;
}

DropReason verify(const PacketBuffer& b, const AuthConfig& auth, AuthReceiveState& state) {
  DecodedPacket d = decode_control_packet(b.bytes());
  EXPECT_TRUE(d.ok()) << drop_reason_name(d.drop);
  return verify_packet(b.bytes(), d.packet, auth, state);
}

}  // namespace

TEST(Auth, ValidateRejectsMissingOrBadKeysAndUnsupportedTypes) {
  EXPECT_TRUE(validate_auth(AuthConfig{}).ok());
  EXPECT_TRUE(validate_auth(sha1_config()).ok());
  EXPECT_TRUE(validate_auth(sha1_config(AuthType::meticulous_keyed_sha1)).ok());
  EXPECT_TRUE(validate_auth(AuthConfig{AuthType::keyed_sha1, 1, std::vector<uint8_t>(20, 'k')}).ok());

  Status missing = validate_auth(AuthConfig{AuthType::keyed_sha1, 1, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("needs a key"), std::string::npos);
  Status long_key = validate_auth(AuthConfig{AuthType::meticulous_keyed_sha1, 1, std::vector<uint8_t>(21, 'k')});
  ASSERT_FALSE(long_key.ok());
  EXPECT_NE(long_key.message().find("at most 20"), std::string::npos);
  for (AuthType t :
       {AuthType::simple_password, AuthType::keyed_md5, AuthType::meticulous_keyed_md5, static_cast<AuthType>(9)}) {
    EXPECT_FALSE(validate_auth(AuthConfig{t, 1, {'k'}}).ok());
  }
}

TEST(Auth, SignedPacketLayoutFollowsRfc5880Section4_4) {
  AuthConfig auth = sha1_config();
  PacketBuffer b = signed_packet(auth, 0x01020304);
  ASSERT_EQ(b.size, 52);
  EXPECT_EQ(b.data[24], 4);  // Auth Type keyed SHA1
  EXPECT_EQ(b.data[25], 28);
  EXPECT_EQ(b.data[26], 7);  // key ID
  EXPECT_EQ(b.data[27], 0);
  EXPECT_EQ(b.data[28], 1);
  EXPECT_EQ(b.data[31], 4);
  // The key itself never travels.
  EXPECT_NE(b.data[32], 's');
}

TEST(Auth, GoodPacketVerifiesAndRecordsSequence) {
  AuthConfig auth = sha1_config();
  AuthReceiveState state;
  EXPECT_EQ(verify(signed_packet(auth, 1000), auth, state), DropReason::none);
  EXPECT_TRUE(state.sequence_known);
  EXPECT_EQ(state.last_sequence, 1000u);
}

TEST(Auth, WrongKeyFailsDigest) {
  AuthConfig sender = sha1_config();
  AuthConfig receiver = sender;
  receiver.key = {'o', 't', 'h', 'e', 'r'};
  AuthReceiveState state;
  EXPECT_EQ(verify(signed_packet(sender, 1), receiver, state), DropReason::auth_digest_mismatch);
  EXPECT_FALSE(state.sequence_known);
}

TEST(Auth, TamperedPacketFailsDigest) {
  AuthConfig auth = sha1_config();
  PacketBuffer b = signed_packet(auth, 1);
  b.data[15] ^= 1;  // Desired Min TX changed in flight
  AuthReceiveState state;
  EXPECT_EQ(verify(b, auth, state), DropReason::auth_digest_mismatch);
}

TEST(Auth, WrongTypeKeyIdAndLength) {
  AuthReceiveState state;
  EXPECT_EQ(
      verify(signed_packet(sha1_config(AuthType::keyed_sha1), 1), sha1_config(AuthType::meticulous_keyed_sha1), state),
      DropReason::auth_type_mismatch);
  EXPECT_EQ(verify(signed_packet(sha1_config(AuthType::keyed_sha1, 7), 1), sha1_config(AuthType::keyed_sha1, 8), state),
            DropReason::auth_key_id_unknown);

  // A keyed SHA1 section that is not 28 octets long.
  AuthConfig auth = sha1_config();
  PacketBuffer b = signed_packet(auth, 1);
  b.data[25] = 24;
  b.data[3] = 48;
  b.size = 48;
  EXPECT_EQ(verify(b, auth, state), DropReason::auth_length_invalid);

  // A peer using MD5 against our SHA1.
  b = signed_packet(auth, 1);
  b.data[24] = static_cast<uint8_t>(AuthType::keyed_md5);
  EXPECT_EQ(verify(b, auth, state), DropReason::auth_type_mismatch);
}

// RFC 5880 §6.7.4: Keyed SHA1 accepts RcvAuthSeq .. RcvAuthSeq + 3 × Detect Mult.
TEST(Auth, KeyedSequenceWindowAllowsRepeats) {
  AuthConfig auth = sha1_config(AuthType::keyed_sha1);
  AuthReceiveState state;
  ASSERT_EQ(verify(signed_packet(auth, 100), auth, state), DropReason::none);
  EXPECT_EQ(verify(signed_packet(auth, 100), auth, state), DropReason::none);  // same number: allowed
  EXPECT_EQ(verify(signed_packet(auth, 99), auth, state), DropReason::auth_sequence_out_of_window);
  EXPECT_EQ(verify(signed_packet(auth, 110), auth, state), DropReason::auth_sequence_out_of_window);  // > 100 + 9
  EXPECT_EQ(verify(signed_packet(auth, 109), auth, state), DropReason::none);
}

// RFC 5880 §6.7.4: Meticulous accepts RcvAuthSeq + 1 .. RcvAuthSeq + 3 × Detect Mult.
TEST(Auth, MeticulousRejectsReplayAndEnforcesWindow) {
  AuthConfig auth = sha1_config(AuthType::meticulous_keyed_sha1);
  AuthReceiveState state;
  PacketBuffer first = signed_packet(auth, 500);
  ASSERT_EQ(verify(first, auth, state), DropReason::none);
  EXPECT_EQ(verify(first, auth, state), DropReason::auth_sequence_out_of_window);  // replay
  EXPECT_EQ(verify(signed_packet(auth, 510), auth, state), DropReason::auth_sequence_out_of_window);
  EXPECT_EQ(verify(signed_packet(auth, 509), auth, state), DropReason::none);
  EXPECT_EQ(state.last_sequence, 509u);
  // Detect Mult 1 in the packet narrows the window to 3.
  EXPECT_EQ(verify(signed_packet(auth, 513, 1), auth, state), DropReason::auth_sequence_out_of_window);
  EXPECT_EQ(verify(signed_packet(auth, 512, 1), auth, state), DropReason::none);
}

TEST(Auth, SequenceWindowWrapsAround) {
  AuthConfig auth = sha1_config(AuthType::meticulous_keyed_sha1);
  AuthReceiveState state;
  ASSERT_EQ(verify(signed_packet(auth, 0xFFFF'FFFEu), auth, state), DropReason::none);
  EXPECT_EQ(verify(signed_packet(auth, 2), auth, state), DropReason::none);  // 4 ahead, across zero
  EXPECT_EQ(verify(signed_packet(auth, 0xFFFF'FFFFu), auth, state), DropReason::auth_sequence_out_of_window);
}

TEST(Auth, UnknownSequenceAcceptsAnyNumber) {
  AuthConfig auth = sha1_config(AuthType::meticulous_keyed_sha1);
  AuthReceiveState state;
  ASSERT_EQ(verify(signed_packet(auth, 5), auth, state), DropReason::none);
  state.sequence_known = false;  // §6.8.1: reset after 2 × detection time of silence
  EXPECT_EQ(verify(signed_packet(auth, 1), auth, state), DropReason::none);
}
