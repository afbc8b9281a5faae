// The probe on a real network: two namespaces joined by a veth, 64 flows at
// 1,000 packets/s. Root only (skips visibly otherwise). Sender and receiver
// run on threads that entered the namespaces; both are stopped through their
// stop eventfd, also when an assertion fails, and the namespaces (with the
// veth and the nftables rules in them) are deleted by their guards.
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "../../support/netns.h"
#include "lab/probe/probe_clock.h"
#include "lab/probe/probe_receiver.h"
#include "lab/probe/probe_sender.h"

namespace halink::lab {
namespace {

using halink::testing::TestNamespace;
constexpr int64_t ms = 1'000'000;

// CPU time of the calling thread: user and system (the kernel's UDP and veth
// work, which for a veth includes delivering to the other namespace).
struct CpuTime {
  double user = 0, system = 0;
  CpuTime operator-(const CpuTime& o) const { return {user - o.user, system - o.system}; }
  double total() const { return user + system; }
};
CpuTime thread_cpu() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

bool namespace_exists(const std::string& name) {
  return std::system(("ip netns list | grep -qw " + name).c_str()) == 0;
}

// A thread in a namespace running one side of the probe; its destructor
// stops and joins it whatever happened.
class ProbeSide {
public:
  ProbeSide() : stop_fd_(eventfd(0, EFD_CLOEXEC)) {}
  ~ProbeSide() {
    stop();
    if (thread_.joinable()) thread_.join();
    close(stop_fd_);
  }
  template <class Body>
  void start(Body body) {
    thread_ = std::thread([this, body] { body(stop_fd_); });
  }
  void stop() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(stop_fd_, &one, sizeof one);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

private:
  int stop_fd_;
  std::thread thread_;
};

struct Measured {
  ProbeReport report;
  ProbeSenderResult sent;
  CpuTime receiver_cpu, sender_cpu;
};

class ProbeLab : public ::testing::Test {
protected:
  void SetUp() override {
    if (!halink::testing::running_as_root()) GTEST_SKIP() << "needs root (network namespaces): run as root to test the probe";
    sender_ns_.emplace("probe-s");
    receiver_ns_.emplace("probe-r");
    ASSERT_TRUE(sender_ns_->ok() && receiver_ns_->ok());
    ASSERT_EQ(sender_ns_->run("ip link add vs type veth peer name vr netns " + receiver_ns_->name()), 0);
    ASSERT_EQ(sender_ns_->run("ip addr add 10.77.0.1/24 dev vs && ip link set vs up"), 0);
    ASSERT_EQ(receiver_ns_->run("ip addr add 10.77.0.2/24 dev vr && ip link set vr up"), 0);
  }

  // Runs the receiver, then the sender for `duration`; `during` runs on the
  // test's thread while the sender sends (given the sender's start time).
  Measured run(Duration duration, const std::function<void(Time)>& during = {}) {
    Measured m;
    std::promise<bool> receiver_ready;
    ProbeSide receiver, sender;
    receiver.start([&](int stop_fd) {
      if (!receiver_ns_->enter()) return receiver_ready.set_value(false);
      auto opened = ProbeReceiver::open({.listen = IpAddress::v4(10, 77, 0, 2)});
      receiver_ready.set_value(opened.ok());
      if (!opened) return;
      CpuTime cpu = thread_cpu();
      m.report = opened->run(stop_fd);
      m.receiver_cpu = thread_cpu() - cpu;
    });
    if (!receiver_ready.get_future().get()) {
      ADD_FAILURE() << "receiver did not open";
      return m;
    }
    Time sender_start = probe_clock_now();
    sender.start([&](int stop_fd) {
      if (!sender_ns_->enter()) return;
      ProbeSenderOptions options;
      options.to = IpAddress::v4(10, 77, 0, 2);
      options.duration = duration;
      auto opened = ProbeSender::open(options);
      if (!opened) return;
      CpuTime cpu = thread_cpu();
      m.sent = opened->run(stop_fd);
      m.sender_cpu = thread_cpu() - cpu;
    });
    if (during) during(sender_start);
    sender.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the last end markers in flight
    receiver.stop();
    receiver.join();
    return m;
  }

  std::optional<TestNamespace> sender_ns_, receiver_ns_;
};

TEST_F(ProbeLab, SteadyRunLosesNothing) {
  const Duration duration = Duration::seconds(2);
  Measured m = run(duration);
  const ProbeTotals& t = m.report.totals;
  EXPECT_EQ(m.sent.send_errors, 0u) << m.sent.last_error;
  EXPECT_EQ(t.flows, 64u);
  EXPECT_EQ(t.runs, 1u);
  EXPECT_EQ(m.report.socket_drops, 0u);
  EXPECT_EQ(t.sent, m.sent.packets);
  EXPECT_EQ(t.lost, 0u);
  EXPECT_EQ(t.flows_hit, 0u);
  EXPECT_EQ(t.duplicates, 0u);
  for (const FlowReport& f : m.report.flows) {
    EXPECT_TRUE(f.ended) << "flow " << f.flow << ": end marker missing";
    // Equal shares of what the sender sent (fewer than 2,000 when the
    // machine stalled it: it resumes rather than bursting).
    EXPECT_NEAR(double(f.sent), double(m.sent.packets) / 64, 1.0) << "flow " << f.flow;
  }
  // Distinct source ports, so an L4 multipath hash can spread the flows.
  std::set<uint16_t> ports(m.sent.source_ports.begin(), m.sent.source_ports.end());
  EXPECT_EQ(ports.size(), 64u);
  // Per packet, so a machine that stalled the sender does not flatter it.
  const double packets_per_second = 64 * 1000;
  auto at_full_rate = [&](double cpu_seconds) { return 100 * cpu_seconds / double(m.sent.packets) * packets_per_second; };
  std::printf("probe cost, 64 flows x 1000 packets/s (this build; %llu packets in %.1f s): sender %.1f %% of a core "
              "(user %.1f %%), receiver %.1f %% (user %.1f %%); worst send lateness %.3f ms, %llu stalls (%.1f ms)\n",
              static_cast<unsigned long long>(m.sent.packets), duration.seconds_f(), at_full_rate(m.sender_cpu.total()),
              at_full_rate(m.sender_cpu.user), at_full_rate(m.receiver_cpu.total()), at_full_rate(m.receiver_cpu.user),
              double(m.sent.max_lateness_ns) / 1e6, static_cast<unsigned long long>(m.sent.stalls),
              double(m.sent.stalled_ns) / 1e6);
}

TEST_F(ProbeLab, A300msReceiveSideDropIsAnOutageOfEveryFlow) {
  // The lab's silent failure: nftables drops the probe's UDP on the
  // receiver's ingress (prerouting), installed and removed by `nft`.
  const std::string table = "/tmp/halink-probe-drop-" + std::to_string(getpid()) + ".nft";
  std::ofstream(table) << "table inet halink_probe_drop {\n"
                          "  chain in { type filter hook prerouting priority -300; udp dport 4000 drop; }\n"
                          "}\n";
  const std::string in_receiver = "ip netns exec " + receiver_ns_->name() + " nft ";
  int64_t t0_before = 0, t0_after = 0, t1_before = 0, t1_after = 0;
  bool injected = false, removed = false;
  Measured m = run(Duration::milliseconds(2500), [&](Time sender_start) {
    std::this_thread::sleep_until(std::chrono::steady_clock::time_point(
        std::chrono::nanoseconds((sender_start + Duration::seconds(1)).ns())));
    t0_before = probe_clock_now().ns();
    injected = std::system((in_receiver + "-f " + table).c_str()) == 0;
    t0_after = probe_clock_now().ns();
    std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t0_after + 300 * ms)));
    t1_before = probe_clock_now().ns();
    removed = std::system((in_receiver + "delete table inet halink_probe_drop").c_str()) == 0;
    t1_after = probe_clock_now().ns();
  });
  std::remove(table.c_str());
  ASSERT_TRUE(injected && removed) << "nft failed";

  // The drop was in force from some moment in [t0_before, t0_after] to some
  // moment in [t1_before, t1_after]. Tolerance: one interval (1 ms) at each
  // edge for where the drop fell between two packets, plus 1 ms for send
  // jitter; start and end shifted by at most the one-way delay.
  const int64_t tolerance = 2 * ms;
  const int64_t shortest = t1_before - t0_after - tolerance, longest = t1_after - t0_before + tolerance;
  const ProbeTotals& t = m.report.totals;
  EXPECT_EQ(t.flows, 64u);
  EXPECT_EQ(t.flows_hit, 64u);
  EXPECT_EQ(t.flows_down_at_end, 0u);
  EXPECT_EQ(m.report.socket_drops, 0u);
  int64_t min_duration = INT64_MAX, max_duration = 0;
  for (const FlowReport& f : m.report.flows) {
    ASSERT_EQ(f.outages.size(), 1u) << "flow " << f.flow;
    const OutageInterval& o = f.outages[0];
    EXPECT_GE(o.duration_ns(), shortest) << "flow " << f.flow;
    EXPECT_LE(o.duration_ns(), longest) << "flow " << f.flow;
    EXPECT_GE(o.start_ns, t0_before - tolerance) << "flow " << f.flow;
    EXPECT_LE(o.end_ns, t1_after + tolerance) << "flow " << f.flow;
    EXPECT_EQ(f.recovered_at_ns, o.end_ns);
    // Lost packets ≈ duration / interval, fewer if the sender was stalled
    // during the drop (the duration is time, the count is packets).
    EXPECT_GE(o.lost, 1u);
    EXPECT_LE(double(o.lost), double(o.duration_ns()) / 1e6 + 2) << "flow " << f.flow;
    EXPECT_TRUE(f.ended);
    min_duration = std::min(min_duration, o.duration_ns());
    max_duration = std::max(max_duration, o.duration_ns());
  }
  std::printf("nft drop in force between %.3f and %.3f ms (commands took %.1f and %.1f ms); "
              "probe outages %.3f .. %.3f ms over %zu flows, %llu packets lost; %llu sender stalls\n",
              double(t1_before - t0_after) / 1e6, double(t1_after - t0_before) / 1e6, double(t0_after - t0_before) / 1e6,
              double(t1_after - t1_before) / 1e6, double(min_duration) / 1e6, double(max_duration) / 1e6,
              m.report.flows.size(), static_cast<unsigned long long>(t.lost),
              static_cast<unsigned long long>(m.sent.stalls));
}

TEST_F(ProbeLab, NamespacesAreGoneAfterTheRun) {
  std::string sender = sender_ns_->name(), receiver = receiver_ns_->name();
  run(Duration::milliseconds(200));
  EXPECT_TRUE(namespace_exists(sender) && namespace_exists(receiver));
  sender_ns_.reset();
  receiver_ns_.reset();
  EXPECT_FALSE(namespace_exists(sender));
  EXPECT_FALSE(namespace_exists(receiver));
}

}  // namespace
}  // namespace halink::lab
