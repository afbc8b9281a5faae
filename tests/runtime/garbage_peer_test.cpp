// A configured neighbour that sends garbage: halinkd answers with the
// NOTIFICATION RFC 4271 §6 / RFC 7606 prescribe, keeps running, and its
// other session (with B, BFD 50 ms x 3) never notices. Root only.
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <thread>

#include "bgp/wire/codec.h"
#include "daemon_lab.h"
#include "raw_bgp_peer.h"

using namespace halink;
using namespace halink::testing;
using namespace std::chrono_literals;
using interop::is_executable;
using interop::wait_until;

namespace {

std::vector<uint8_t> hex(const std::string& text) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) digits += c;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) out.push_back(uint8_t(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

// A message with a correct header around `body`.
std::vector<uint8_t> framed(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m(16, 0xff);
  size_t length = 19 + body.size();
  m.push_back(uint8_t(length >> 8));
  m.push_back(uint8_t(length));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}
std::vector<uint8_t> message(uint8_t type, const std::string& body_hex) { return framed(type, hex(body_hex)); }

// An UPDATE with these path attributes and the NLRI 20.1.0.0/16.
std::vector<uint8_t> update(const std::string& attributes_hex) {
  std::vector<uint8_t> attributes = hex(attributes_hex);
  std::vector<uint8_t> body = {0, 0, uint8_t(attributes.size() >> 8), uint8_t(attributes.size())};
  body.insert(body.end(), attributes.begin(), attributes.end());
  body.insert(body.end(), {16, 20, 1});
  return framed(2, body);
}
const std::string good_attributes = "40 01 01 00  40 02 06 02 01 0000FDEB  40 03 04 0A000202";

class GarbagePeer : public ::testing::Test {
protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (network namespaces)";
    if (!is_executable(HALINKD_BINARY)) GTEST_SKIP() << "halinkd not built at " << HALINKD_BINARY;
    ASSERT_TRUE(lab_.start());
  }
  void TearDown() override {
    if (!running_as_root() || !is_executable(HALINKD_BINARY)) return;
    // The other session never went down, the daemon still answers.
    EXPECT_TRUE(lab_.a().running());
    EXPECT_EQ(lab_.a().neighbor_state("b"), "Established");
    EXPECT_EQ(lab_.a().bfd_state("b"), "Up");
    EXPECT_EQ(downs_in(lab_.b().log_path()), "");
  }
  // Runs `talk` in a thread inside the sender's namespace, connected to A.
  void as_sender(const std::function<void(RawBgpPeer&)>& talk) {
    std::string error;
    std::thread t([&] {
      if (!lab_.sender_namespace().enter()) {
        error = "cannot enter the sender's namespace";
        return;
      }
      RawBgpPeer peer;
      if (!peer.connect(IpAddress::v4(10, 0, 2, 1), 179, 10s)) {
        error = "cannot connect to A";
        return;
      }
      talk(peer);
    });
    t.join();
    ASSERT_EQ(error, "");
  }
  // Sends `bytes` on a fresh connection and returns A's NOTIFICATION.
  std::optional<bgp::Notification> notification_for(const std::vector<uint8_t>& bytes, bool establish_first) {
    std::optional<bgp::Notification> got;
    as_sender([&](RawBgpPeer& peer) {
      if (establish_first && !peer.establish(65003, 0x0aff0003, 3, 10s)) return;
      peer.send(bytes);
      got = peer.await_notification(10s);
    });
    return got;
  }
  DaemonLab lab_;
};

}  // namespace

TEST_F(GarbagePeer, BytesWithoutTheMarkerAreConnectionNotSynchronized) {
  std::vector<uint8_t> garbage(64);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = uint8_t(i * 37 + 11);
  auto n = notification_for(garbage, false);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 1);  // RFC 4271 §6.1 Message Header Error
  EXPECT_EQ(n->subcode, 1);  // Connection Not Synchronized
}

TEST_F(GarbagePeer, WrongMarkerIsConnectionNotSynchronized) {
  std::vector<uint8_t> open = open_message(65003, 0x0aff0003, 3);
  open[15] = 0xfe;
  auto n = notification_for(open, false);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 1);
  EXPECT_EQ(n->subcode, 1);
}

TEST_F(GarbagePeer, TruncatedOpenIsBadMessageLength) {
  auto n = notification_for(message(1, "04 FDEB 0003 0AFF0003"), false);  // 28 octets < 29 (RFC 4271 §4.2)
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 1);
  EXPECT_EQ(n->subcode, 2);  // Bad Message Length
  EXPECT_EQ(n->data, (std::vector<uint8_t>{0, 28}));  // the erroneous length (RFC 4271 §6.1)
}

TEST_F(GarbagePeer, OpenWithVersion3IsUnsupportedVersion) {
  std::vector<uint8_t> open = open_message(65003, 0x0aff0003, 3);
  open[19] = 3;
  auto n = notification_for(open, false);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 2);     // RFC 4271 §6.2 OPEN Message Error
  EXPECT_EQ(n->subcode, 1);  // Unsupported Version Number
  EXPECT_EQ(n->data, (std::vector<uint8_t>{0, 4}));  // the version we support
}

TEST_F(GarbagePeer, AttributeListOverrunAfterEstablishedIsMalformedAttributeList) {
  // Total Path Attribute Length 0x20 with 4 octets there: the NLRI cannot be
  // found, so RFC 7606 §3(b) keeps the session reset of RFC 4271 §6.3.
  auto n = notification_for(message(2, "0000 0020 40010100"), true);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 3);     // UPDATE Message Error
  EXPECT_EQ(n->subcode, 1);  // Malformed Attribute List
}

TEST_F(GarbagePeer, InvalidOriginIsTreatAsWithdrawAndTheSessionStays) {
  bool closed = true, took_good_update = false;
  std::string state;
  as_sender([&](RawBgpPeer& peer) {
    if (!peer.establish(65003, 0x0aff0003, 3, 10s)) return;
    // The same bad UPDATE many times: RFC 7606 §7.1 treat-as-withdraw, no
    // NOTIFICATION; the complaint is logged a limited number of times.
    std::vector<uint8_t> bad = update("40 01 01 07  40 02 06 02 01 0000FDEB  40 03 04 0A000202");
    for (int i = 0; i < 200; ++i) peer.send(bad);
    peer.send(update(good_attributes));
    peer.send(bgp::encode(bgp::Keepalive{}));
    // Checked while the connection is open: closing it ends the session.
    took_good_update = wait_until([&] { return received_from(lab_.a(), "feed") == 1; }, 5s);
    state = lab_.a().neighbor_state("feed");
    closed = !peer.drain_incoming();
  });
  EXPECT_FALSE(closed) << "A closed the session:\n" << lab_.a().diagnostics();
  EXPECT_EQ(state, "Established");
  EXPECT_TRUE(took_good_update) << "the good UPDATE after the bad ones was not taken";
  std::string log = read_file(lab_.a().log_path());
  size_t complaints = 0;
  for (size_t at = log.find("treat-as-withdraw"); at != std::string::npos; at = log.find("treat-as-withdraw", at + 1))
    ++complaints;
  EXPECT_GE(complaints, 1u);
  EXPECT_LE(complaints, 10u) << "the repeated complaint is not rate-limited";
}
