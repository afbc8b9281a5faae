// Two BfdService instances in two network namespaces joined by a veth pair:
// real sockets, real timers, the RFC 5881 single-hop checks (TTL 255,
// source port, interface binding), a silent blackhole made with nftables,
// and recovery. Needs root (label lab).
#include "runtime/bfd_service.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "../support/netns.h"

namespace halink::runtime {
namespace {

using testing::TestNamespace;

struct Recorded {
  BfdEvent event;
  Time at;
};

class BfdServicePair : public ::testing::Test {
protected:
  void SetUp() override {
    if (!testing::running_as_root()) GTEST_SKIP() << "needs root (network namespaces); run the lab tests as root";
    if (std::system("command -v nft >/dev/null") != 0) GTEST_SKIP() << "nft (nftables) not installed";
    a_ = std::make_unique<TestNamespace>("bfda");
    b_ = std::make_unique<TestNamespace>("bfdb");
    ASSERT_TRUE(a_->ok() && b_->ok());
    ASSERT_EQ(a_->run("ip link add va type veth peer name vb netns " + b_->name()), 0);
    ASSERT_EQ(a_->run("ip addr add 10.0.0.1/24 dev va && ip -6 addr add fd00::1/64 dev va nodad && ip link set va up"),
              0);
    ASSERT_EQ(b_->run("ip addr add 10.0.0.2/24 dev vb && ip -6 addr add fd00::2/64 dev vb nodad && ip link set vb up"),
              0);
    service_a_ = make_service(*a_, events_a_);
    service_b_ = make_service(*b_, events_b_);
    ASSERT_TRUE(service_a_->start());
    ASSERT_TRUE(service_b_->start());
  }

  void TearDown() override {
    service_a_.reset();
    service_b_.reset();
  }

  std::unique_ptr<BfdService> make_service(const TestNamespace& ns, std::vector<Recorded>& events) {
    BfdServiceOptions options;
    options.prepare_thread = [&ns] { return ns.enter(); };
    options.retry_interval = Duration::milliseconds(200);
    return std::make_unique<BfdService>(
        owner_, [this, &events](const BfdEvent& e) { events.push_back({e, owner_.now()}); }, options);
  }

  static BfdPeerConfig peer(const std::string& name, const char* address, Duration interval, uint8_t multiplier) {
    BfdPeerConfig p;
    p.name = name;
    p.peer = *IpAddress::parse(address);
    p.interval = interval;
    p.multiplier = multiplier;
    return p;
  }

  // Runs the owner's loop (where events arrive) until `done` or `limit`.
  bool run_until(const std::function<bool()>& done, Duration limit) {
    Time deadline = owner_.now() + limit;
    while (!done()) {
      if (owner_.now() >= deadline) return false;
      owner_.run_for(Duration::milliseconds(5));
    }
    return true;
  }

  static const Recorded* last(const std::vector<Recorded>& events, const std::string& name,
                              const std::function<bool(const BfdEvent&)>& match) {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->event.name == name && match(it->event)) return &*it;
    return nullptr;
  }

  EventLoop owner_;
  std::unique_ptr<TestNamespace> a_, b_;
  std::vector<Recorded> events_a_, events_b_;
  std::unique_ptr<BfdService> service_a_, service_b_;
};

const auto went_up = [](const BfdEvent& e) { return e.went_up(); };
const auto went_down = [](const BfdEvent& e) { return e.went_down(); };

TEST_F(BfdServicePair, UpThenDownOnBlackholeThenRecovers) {
  const Duration interval = Duration::milliseconds(50);
  const Duration detection = interval * 3;
  Time configured = owner_.now();
  service_a_->set_peers({peer("to-b", "10.0.0.2", interval, 3)});
  service_b_->set_peers({peer("to-a", "10.0.0.1", interval, 3)});

  // Up within a second: the three-way handshake needs one slow (1 s) packet
  // at most from whichever side starts, usually far less.
  ASSERT_TRUE(run_until([&] { return last(events_a_, "to-b", went_up) && last(events_b_, "to-a", went_up); },
                        Duration::seconds(1)))
      << "sessions did not come Up within 1 s";
  Duration up_after = std::max(last(events_a_, "to-b", went_up)->at, last(events_b_, "to-a", went_up)->at) - configured;
  std::printf("BFD Up after %.1f ms\n", up_after.seconds_f() * 1000);

  // The session bound itself to the veth (the interface holding 10.0.0.1)
  // and negotiated 50 ms; give the Poll Sequence to the fast rate a moment.
  ASSERT_TRUE(run_until(
      [&] {
        auto s = service_a_->snapshot();
        return s.size() == 1 && s[0].info.transmit_interval == interval && s[0].info.detection_time == detection;
      },
      Duration::seconds(2)));
  auto status = service_a_->snapshot();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].info.interface, "va");
  EXPECT_EQ(status[0].info.state, bfd::State::up);
  EXPECT_GE(status[0].source_port, 49152);
  nlohmann::json j = to_json(status[0], service_a_->now());
  EXPECT_EQ(j["state"], "Up");
  EXPECT_EQ(j["detection_time_ms"], 150.0);
  EXPECT_EQ(j["tx_interval_ms"], 50.0);
  EXPECT_EQ(j["counters"]["dropped"], 0);

  // A silent blackhole on B's receiving side: B hears nothing more.
  ASSERT_EQ(b_->run("nft add table inet t && nft add chain inet t in { type filter hook input priority 0 \\; } && "
                    "nft add rule inet t in udp dport 3784 drop"),
            0);
  Time blackholed = owner_.now();
  ASSERT_TRUE(run_until([&] { return last(events_b_, "to-a", went_down) != nullptr; }, Duration::seconds(2)))
      << "B did not detect the blackhole";
  const Recorded* down = last(events_b_, "to-a", went_down);
  EXPECT_EQ(down->event.diag, bfd::Diag::control_detection_time_expired) << down->event.text;
  Duration detected_after = down->at - blackholed;
  std::printf("BFD Down %.1f ms after the nft rule was in place (detection time %.0f ms): %s\n",
              detected_after.seconds_f() * 1000, detection.seconds_f() * 1000, down->event.text.c_str());
  EXPECT_LE(detected_after, detection * 2);
  // B tells A (its packets still pass): A goes Down with diag 3.
  ASSERT_TRUE(run_until([&] { return last(events_a_, "to-b", went_down) != nullptr; }, Duration::seconds(1)));
  EXPECT_EQ(last(events_a_, "to-b", went_down)->event.diag, bfd::Diag::neighbor_signaled_session_down);

  // Recovery once the rule is gone.
  size_t ups_before = events_b_.size();
  ASSERT_EQ(b_->run("nft delete table inet t"), 0);
  ASSERT_TRUE(run_until(
      [&] {
        for (size_t i = ups_before; i < events_b_.size(); ++i)
          if (events_b_[i].event.went_up()) return true;
        return false;
      },
      Duration::seconds(5)))
      << "no recovery after the blackhole was removed";
}

TEST_F(BfdServicePair, Ipv6SessionAndReconfigurationWithoutFlap) {
  service_a_->set_peers({peer("v6", "fd00::2", Duration::milliseconds(100), 3)});
  service_b_->set_peers({peer("v6", "fd00::1", Duration::milliseconds(100), 3)});
  ASSERT_TRUE(run_until([&] { return last(events_a_, "v6", went_up) && last(events_b_, "v6", went_up); },
                        Duration::seconds(2)));
  // A slower rate is negotiated with a Poll Sequence (RFC 5880 §6.8.3), no flap.
  service_a_->set_peers({peer("v6", "fd00::2", Duration::milliseconds(200), 5)});
  ASSERT_TRUE(run_until(
      [&] {
        auto s = service_b_->snapshot();
        return s.size() == 1 && s[0].info.detection_time == Duration::milliseconds(1000);
      },
      Duration::seconds(3)));
  owner_.run_for(Duration::milliseconds(300));
  EXPECT_EQ(last(events_a_, "v6", went_down), nullptr);
  EXPECT_EQ(last(events_b_, "v6", went_down), nullptr);

  // Removing it on A says AdminDown first: B goes Down as a signalled, not a path, failure.
  service_a_->set_peers({});
  ASSERT_TRUE(run_until([&] { return last(events_b_, "v6", went_down) != nullptr; }, Duration::seconds(2)));
  EXPECT_TRUE(last(events_b_, "v6", went_down)->event.peer_admin_down);
  EXPECT_TRUE(service_a_->snapshot().size() <= 1);
}

TEST_F(BfdServicePair, MultihopSessionUsesPort4784WithoutInterface) {
  BfdPeerConfig to_b = peer("mh", "10.0.0.2", Duration::milliseconds(100), 3);
  BfdPeerConfig to_a = peer("mh", "10.0.0.1", Duration::milliseconds(100), 3);
  to_b.multihop = to_a.multihop = true;
  service_a_->set_peers({to_b});
  service_b_->set_peers({to_a});
  ASSERT_TRUE(run_until([&] { return last(events_a_, "mh", went_up) && last(events_b_, "mh", went_up); },
                        Duration::seconds(2)));
  auto status = service_a_->snapshot();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status[0].info.multihop);
  EXPECT_EQ(status[0].info.interface, "");  // RFC 5883: not bound to an interface
  // Blocking single-hop port 3784 does not touch a multihop session.
  ASSERT_EQ(b_->run("nft add table inet t && nft add chain inet t in { type filter hook input priority 0 \\; } && "
                    "nft add rule inet t in udp dport 3784 drop"),
            0);
  owner_.run_for(Duration::milliseconds(500));
  EXPECT_EQ(last(events_b_, "mh", went_down), nullptr);
  b_->run("nft delete table inet t");
}

TEST_F(BfdServicePair, SessionStartsOnceItsInterfaceExists) {
  // A tunnel interface created after halinkd started: the session waits for it.
  BfdPeerConfig to_b = peer("late", "10.0.0.2", Duration::milliseconds(50), 3);
  to_b.interface = "vlate";
  service_a_->set_peers({to_b});
  service_b_->set_peers({peer("late", "10.0.0.1", Duration::milliseconds(50), 3)});
  owner_.run_for(Duration::milliseconds(300));
  EXPECT_TRUE(service_a_->snapshot().empty());
  ASSERT_EQ(a_->run("ip link set va down && ip link set va name vlate && ip link set vlate up"), 0);
  ASSERT_TRUE(run_until([&] { return last(events_a_, "late", went_up) && last(events_b_, "late", went_up); },
                        Duration::seconds(3)));
  auto status = service_a_->snapshot();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].info.interface, "vlate");
}

}  // namespace
}  // namespace halink::runtime
