#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

using Kind = StreamDecoder::FrameResult::Kind;

std::vector<uint8_t> sample_stream() {
  std::vector<uint8_t> stream;
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 90;
  o.bgp_identifier = 1;
  o.capabilities.route_refresh = true;
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  u.attributes.next_hop = test::address("192.0.2.1");
  u.nlri.prefixes = {test::prefix("10.0.0.0/8")};
  for (auto& m : {encode(o), encode(Keepalive{}), encode(u, {}), encode(RouteRefresh{}),
                  encode(Notification::cease(cease_subcode::administrative_shutdown, "bye"))})
    stream.insert(stream.end(), m.begin(), m.end());
  return stream;
}

std::vector<uint8_t> drain(StreamDecoder& s, std::vector<std::vector<uint8_t>>& bodies) {
  std::vector<uint8_t> types;
  for (;;) {
    auto r = s.next();
    if (r.kind != Kind::frame) break;
    types.push_back(r.frame.type);
    bodies.emplace_back(r.frame.body.begin(), r.frame.body.end());
  }
  return types;
}

TEST(StreamDecoder, AnyPieceSizeGivesTheSameMessages) {
  auto stream = sample_stream();
  std::vector<std::vector<uint8_t>> reference_bodies;
  StreamDecoder whole;
  whole.feed(stream);
  auto reference = drain(whole, reference_bodies);
  ASSERT_EQ(reference, (std::vector<uint8_t>{1, 4, 2, 5, 3}));
  EXPECT_EQ(whole.buffered(), 0u);
  for (size_t piece : {1, 2, 3, 7, 19, 20, 64, 1000}) {
    StreamDecoder s;
    std::vector<std::vector<uint8_t>> bodies;
    std::vector<uint8_t> types;
    for (size_t at = 0; at < stream.size(); at += piece) {
      s.feed(std::span(stream).subspan(at, std::min(piece, stream.size() - at)));
      auto t = drain(s, bodies);
      types.insert(types.end(), t.begin(), t.end());
    }
    EXPECT_EQ(types, reference) << "piece " << piece;
    EXPECT_EQ(bodies, reference_bodies) << "piece " << piece;
    EXPECT_EQ(s.buffered(), 0u);
  }
}

TEST(StreamDecoder, FramesAreViewsIntoTheBuffer) {
  auto stream = sample_stream();
  StreamDecoder s;
  s.feed(stream);
  auto first = s.next();
  auto second = s.next();
  ASSERT_EQ(second.kind, Kind::frame);
  // The second body starts right after the first message: no copy made.
  EXPECT_EQ(second.frame.body.data() - first.frame.body.data(), std::ptrdiff_t(first.frame.body.size() + 19));
}

TEST(StreamDecoder, HeaderErrorsAreSessionResets) {
  struct Case {
    std::string hex;
    Notification expected;
  };
  const Case cases[] = {
      // RFC 4271 §6.1: marker not all ones → Connection Not Synchronized.
      {"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00 0013 04", {1, 1, {}}},
      // Length below 19, data = the length field.
      {"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0012 04", {1, 2, {0x00, 0x12}}},
      // Length above 4096 without extended messages.
      {"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 1001 02", {1, 2, {0x10, 0x01}}},
      // Type 6 unknown, data = the type.
      {"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 06", {1, 3, {6}}},
      // KEEPALIVE must be exactly 19.
      {"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0014 04 00", {1, 2, {0x00, 0x14}}},
  };
  for (const auto& c : cases) {
    StreamDecoder s;
    s.feed(test::from_hex(c.hex));
    auto r = s.next();
    ASSERT_EQ(r.kind, Kind::error) << c.hex;
    EXPECT_EQ(r.error_notification, c.expected) << c.hex;
    EXPECT_FALSE(r.reason.empty());
    // The stream stays failed.
    s.feed(encode(Keepalive{}));
    EXPECT_EQ(s.next().kind, Kind::error);
  }
}

TEST(StreamDecoder, OpenIsLimitedTo4096EvenWithExtendedMessages) {
  StreamDecoder s(extended_max_message_size);
  s.feed(test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 1001 01"));
  auto r = s.next();
  ASSERT_EQ(r.kind, Kind::error);
  EXPECT_EQ(r.error_notification.subcode, header_subcode::bad_message_length);
  StreamDecoder t(extended_max_message_size);
  t.feed(test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 1001 02"));
  EXPECT_EQ(t.next().kind, Kind::need_more);  // an extended UPDATE waits for its body
}

}  // namespace
}  // namespace halink::bgp
