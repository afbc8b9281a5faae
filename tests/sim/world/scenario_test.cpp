// Scenario files run in the simulator: the demo's story on the article's
// active/passive design, double failures on the active/active design, and a
// configuration change that moves traffic without an outage.
#include "sim/world/scenario_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "config/loader.h"

using namespace halink;
using namespace halink::sim;

namespace {

config::Topology load(const std::string& name) {
  auto t = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/" + name);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.message());
  return *t;
}

config::Scenario scenario(const std::string& text, const config::Topology& topology) {
  auto s = config::load_scenario_string(text, topology, "test-scenario.yaml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.message());
  return *s;
}

// The share of `direction`'s traffic on `tunnel` at `at` (series are step functions).
double share_at(const design::Timeline& t, const std::string& tunnel, const std::string& direction, Time at) {
  for (const design::TunnelSeries& s : t.tunnels) {
    if (s.name.substr(0, s.name.find(' ')) != tunnel || s.direction != direction) continue;
    double value = 0;
    for (const design::SeriesSample& sample : s.samples)
      if (sample.at <= at) value = sample.value;
    return value;
  }
  ADD_FAILURE() << "no series for " << tunnel << " " << direction;
  return 0;
}

const design::TimelinePhase& phase(const design::Timeline& t, const std::string& label) {
  for (const design::TimelinePhase& p : t.phases)
    if (p.label == label) return p;
  ADD_FAILURE() << "no phase " << label;
  return t.phases.front();
}

const design::PhaseSummary& summary(const std::vector<design::PhaseSummary>& all, const std::string& label) {
  for (const design::PhaseSummary& p : all)
    if (p.label == label) return p;
  ADD_FAILURE() << "no phase " << label;
  return all.front();
}

const std::vector<std::string> onprem_isp1 = {"r1-g1", "r1-g2", "r2-g1", "r2-g2"};
const std::vector<std::string> onprem_isp2 = {"r1-g1-isp2", "r1-g2-isp2", "r2-g1-isp2", "r2-g2-isp2"};
const std::string to_cloud = "onprem → cloud";
const std::string to_onprem = "cloud → onprem";

}  // namespace

TEST(ScenarioRun, DemoStoryOnActivePassive) {
  const config::Topology topology = load("active-passive.yaml");
  auto s = config::load_scenario(
      std::string(HALINK_SOURCE_DIR) + "/examples/scenarios/active-passive/blackhole-then-isp1.yaml", topology);
  ASSERT_TRUE(s.ok()) << s.message();
  auto run = run_scenario(topology, *s);
  ASSERT_TRUE(run.ok()) << run.message();
  const design::Timeline& t = run->timeline;
  const auto steps = design::summarize(t);
  ASSERT_EQ(steps.size(), 4u);

  // Healthy: all traffic over the four ISP 1 tunnels, none over ISP 2.
  const Time healthy = phase(t, "fail: tunnel-blackhole r1-g1").start - Duration::milliseconds(1);
  double isp1 = 0;
  for (const std::string& tunnel : onprem_isp1) isp1 += share_at(t, tunnel, to_cloud, healthy);
  EXPECT_NEAR(isp1, 1.0, 1e-9);
  for (const std::string& tunnel : onprem_isp2) EXPECT_EQ(share_at(t, tunnel, to_cloud, healthy), 0) << tunnel;

  const auto& blackhole = summary(steps, "fail: tunnel-blackhole r1-g1");
  EXPECT_GT(blackhole.flows_hit, 0u);
  EXPECT_LT(blackhole.flows_hit, blackhole.flows);
  // One tunnel black-holed: only its flows are hit, for about BFD's 900 ms
  // (300 ms x 3 in this design), never the 9 s hold time.
  EXPECT_GE(blackhole.worst, Duration::milliseconds(600));
  EXPECT_LE(blackhole.worst, Duration::milliseconds(1000));
  ASSERT_TRUE(blackhole.recovered_after.has_value());
  const Time during_blackhole = phase(t, "restore: tunnel-blackhole r1-g1").start - Duration::milliseconds(1);
  EXPECT_EQ(share_at(t, "r1-g1", to_cloud, during_blackhole), 0);

  // ISP 1 lost: everything moves to ISP 2 within the detection bound.
  const auto& isp1_lost = summary(steps, "fail: underlay-loss isp1");
  EXPECT_EQ(isp1_lost.flows_hit, isp1_lost.flows);
  EXPECT_LE(isp1_lost.worst, Duration::milliseconds(1000));
  ASSERT_TRUE(isp1_lost.recovered_after.has_value());
  const Time on_isp2 = phase(t, "restore: all").start - Duration::milliseconds(1);
  for (const std::string& direction : {to_cloud, to_onprem}) {
    double isp2 = 0;
    for (const std::string& tunnel : onprem_isp2) isp2 += share_at(t, tunnel, direction, on_isp2);
    EXPECT_NEAR(isp2, 1.0, 1e-9) << direction;
  }

  // Everything repaired: back on ISP 1, every flow delivered at the end.
  isp1 = 0;
  for (const std::string& tunnel : onprem_isp1) isp1 += share_at(t, tunnel, to_cloud, t.end);
  EXPECT_NEAR(isp1, 1.0, 1e-9);
  for (const design::FlowRow& row : t.flows)
    for (const design::OutageInterval& o : row.outages) EXPECT_FALSE(o.ongoing()) << row.name;

  // The readable timeline names the steps and the sessions going down.
  const std::string text = render_scenario_run(*run);
  EXPECT_NE(text.find("fail: underlay-loss isp1"), std::string::npos);
  EXPECT_NE(text.find("BGP r1-g1 down"), std::string::npos) << text;
  EXPECT_NE(text.find("recovered after"), std::string::npos);
}

TEST(ScenarioRun, SameSeedSameTimeline) {
  const config::Topology topology = load("active-active.yaml");
  const auto s = scenario("steps: [{wait: converged}, {fail: router-crash r1}, {wait: 2s}, {restore: all}, {wait: 2s}]\n",
                          topology);
  auto a = run_scenario(topology, s);
  auto b = run_scenario(topology, s);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(render_scenario_run(*a), render_scenario_run(*b));
}

TEST(ScenarioRun, ConvergenceThatNeverComesIsAnError) {
  config::Topology topology = load("active-active.yaml");
  // g2 has no BGP session to r1: r1's session towards g2 can never be Established.
  for (auto& r : topology.routers)
    if (r.name == "g2") std::erase_if(r.neighbors, [](const config::Neighbor& n) { return n.tunnel == "r1-g2"; });
  auto s = scenario("steps: [{wait: converged}]\n", topology);
  s.steps[0].duration = Duration::seconds(20);
  auto run = run_scenario(topology, s);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.message().find("not converged after 20"), std::string::npos) << run.message();
  EXPECT_NE(run.message().find("r1/r1-g2"), std::string::npos) << run.message();
}

// `wait: converged` during a failure means what it means in the lab: the
// failed tunnels' sessions are down (here once BFD, 300 ms x 3 in the
// active/passive example, found the silent loss of ISP 1), every other
// session is Established, and the next hops are stable.
TEST(ScenarioRun, ConvergedDuringAFailureWaitsForItsDetection) {
  const config::Topology topology = load("active-passive.yaml");
  const auto s = scenario("steps: [{wait: converged}, {fail: underlay-loss isp1}, {wait: converged}, "
                          "{restore: all}, {wait: converged}]\n",
                          topology);
  auto run = run_scenario(topology, s);
  ASSERT_TRUE(run.ok()) << run.message();
  std::vector<Time> converged;
  Time failed;
  for (const design::TimelineEvent& e : run->timeline.events) {
    if (e.text == "converged") converged.push_back(e.at);
    if (e.text.starts_with("fail:")) failed = e.at;
  }
  ASSERT_EQ(converged.size(), 3u);
  EXPECT_GE(converged[1] - failed, Duration::milliseconds(800));  // detection: 900 ms after the last packet
  EXPECT_NE(render_scenario_run(*run).find("but the 8 the failures took down"), std::string::npos)
      << render_scenario_run(*run);
}

// The article: active/active "can keep working uninterrupted even with the
// loss of 50% of the routers". One router on each side crashes at the same
// instant; the surviving pair's tunnel carries everything.
TEST(ScenarioRun, ActiveActiveSurvivesHalfOfTheRoutersDown) {
  const config::Topology topology = load("active-active.yaml");
  const auto s = scenario(
      "steps:\n"
      "  - wait: converged\n"
      "  - fail: router-crash r1\n"
      "  - fail: router-crash g1\n"
      "  - wait: 12s\n"
      "  - restore: all\n"
      "  - wait: 12s\n",
      topology);
  auto run = run_scenario(topology, s, {.flows_per_direction = 32});
  ASSERT_TRUE(run.ok()) << run.message();
  const design::Timeline& t = run->timeline;
  const auto steps = design::summarize(t);
  // Both crashes happen at one instant: the first step's phase lasts no
  // time, every outage starts in the second's.
  EXPECT_EQ(summary(steps, "fail: router-crash r1").flows_hit, 0u);
  const auto& crash = summary(steps, "fail: router-crash g1");
  // Flows through the crashed routers are hit for the detection time of the
  // survivors' sessions towards them (BFD 100 ms x 3), never the 9 s hold time.
  EXPECT_GT(crash.flows_hit, 0u);
  EXPECT_LE(crash.worst, Duration::milliseconds(400));
  ASSERT_TRUE(crash.recovered_after.has_value());
  const Time degraded = phase(t, "restore: all").start - Duration::milliseconds(1);
  EXPECT_NEAR(share_at(t, "r2-g2", to_cloud, degraded), 1.0, 1e-9);
  EXPECT_NEAR(share_at(t, "r2-g2", to_onprem, degraded), 1.0, 1e-9);
  // Back to four tunnels after the repair.
  for (const std::string& tunnel : onprem_isp1) EXPECT_GT(share_at(t, tunnel, to_cloud, t.end), 0.0) << tunnel;
}

// A configuration change: the cloud gateways prepend twice on their ISP 1
// sessions (once on ISP 2), so the on-premises routers move their traffic to
// ISP 2. The routes are replaced, not withdrawn first: no flow loses a sample.
TEST(ScenarioRun, AddingAPrependMovesTrafficOffTheIspWithoutAnOutage) {
  const std::string source = std::string(HALINK_SOURCE_DIR) + "/examples/active-passive.yaml";
  std::ifstream in(source);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string policy = "  to-onprem:\n    terms:\n      - match: {prefixes: [10.2.0.0/16]}\n";
  const size_t at = text.find(policy);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + policy.size(), "        set: {prepend: 2}\n");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "halink-scenario-change-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "variant-prepend-isp1.yaml") << text;

  const config::Topology topology = load("active-passive.yaml");
  auto s = config::load_scenario_string(
      "steps:\n  - wait: converged\n  - wait: 1s\n  - change: variant-prepend-isp1.yaml\n  - wait: 3s\n", topology,
      "change.yaml", dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->steps[2].changed_routers, (std::vector<std::string>{"g1", "g2"}));
  auto run = run_scenario(topology, *s);
  ASSERT_TRUE(run.ok()) << run.message();
  const design::Timeline& t = run->timeline;
  const auto steps = design::summarize(t);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].flows_hit, 0u) << render_scenario_run(*run);
  const Time before = phase(t, "change: variant-prepend-isp1.yaml").start - Duration::milliseconds(1);
  double isp1_before = 0, isp2_after = 0;
  for (const std::string& tunnel : onprem_isp1) isp1_before += share_at(t, tunnel, to_cloud, before);
  for (const std::string& tunnel : onprem_isp2) isp2_after += share_at(t, tunnel, to_cloud, t.end);
  EXPECT_NEAR(isp1_before, 1.0, 1e-9);
  EXPECT_NEAR(isp2_after, 1.0, 1e-9);
  // The sessions were not reset: policy re-evaluated in place.
  EXPECT_EQ(render_scenario_run(*run).find(" down: "), std::string::npos) << render_scenario_run(*run);
}

// Faster BFD by reload, as an operator would tighten it: the running BFD
// sessions change their timers with a Poll Sequence (RFC 5880 §6.8.3), as in
// halinkd, so nothing flaps and a later silent failure is detected with the
// new 50 ms x 3.
TEST(ScenarioRun, ReloadWithFasterBfdKeepsSessionsAndDetectsWithTheNewTimers) {
  const std::string source = std::string(HALINK_SOURCE_DIR) + "/examples/active-active.yaml";
  std::ifstream in(source);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t replaced = 0;
  for (size_t at = text.find("interval_ms: 100"); at != std::string::npos; at = text.find("interval_ms: 100", at)) {
    text.replace(at, 16, "interval_ms: 50");
    ++replaced;
  }
  ASSERT_GT(replaced, 0u);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "halink-scenario-bfd-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "variant-bfd50.yaml") << text;

  const config::Topology topology = load("active-active.yaml");
  auto s = config::load_scenario_string(
      "steps:\n  - wait: converged\n  - wait: 1s\n  - change: variant-bfd50.yaml\n  - wait: 3s\n"
      "  - fail: tunnel-blackhole r1-g1\n  - wait: 3s\n",
      topology, "bfd.yaml", dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(s.ok()) << s.message();
  auto run = run_scenario(topology, *s);
  ASSERT_TRUE(run.ok()) << run.message();
  const std::string rendered = render_scenario_run(*run);
  const auto steps = design::summarize(run->timeline);
  EXPECT_EQ(summary(steps, "change: variant-bfd50.yaml").flows_hit, 0u) << rendered;
  const auto& blackhole = summary(steps, "fail: tunnel-blackhole r1-g1");
  EXPECT_GT(blackhole.flows_hit, 0u);
  // Detection 150 ms plus the probe's resolution; 300 ms would be the old timers.
  EXPECT_LE(blackhole.worst, Duration::milliseconds(220)) << rendered;
  // Before the failure no session went down and no BFD session changed state.
  const std::string before = rendered.substr(0, rendered.find("fail: tunnel-blackhole"));
  EXPECT_EQ(before.find(" down: "), std::string::npos) << before;
}

// The article: active/active keeps working "with 75% of the VPN links down".
// Three tunnels black-holed at once leave r2-g2. The sites' LANs reach their
// routers by static ECMP (world.h), so they keep hashing half their flows to
// r1 and g1, which have no tunnel left. The design's site pair iBGP sessions
// (next-hop-self, over the LAN) carry those flows to the sibling: every flow
// is back within the detection bound (BFD 100 ms x 3).
const std::string three_tunnels_down =
    "steps:\n"
    "  - wait: converged\n"
    "  - fail: tunnel-blackhole r1-g1\n"
    "  - fail: tunnel-blackhole r1-g2\n"
    "  - fail: tunnel-blackhole r2-g1\n"
    "  - wait: 12s\n"
    "  - restore: all\n"
    "  - wait: 12s\n";

// The run, when the failures began and the last instant before the repair.
struct DegradedRun {
  ScenarioRun run;
  Time failed;
  Time degraded;
};

std::optional<DegradedRun> run_three_tunnels_down(const config::Topology& topology) {
  auto run = run_scenario(topology, scenario(three_tunnels_down, topology), {.flows_per_direction = 64});
  EXPECT_TRUE(run.ok()) << run.message();
  if (!run.ok()) return std::nullopt;
  const design::Timeline& t = run->timeline;
  return DegradedRun{*run, phase(t, "fail: tunnel-blackhole r1-g1").start,
                     phase(t, "restore: all").start - Duration::milliseconds(1)};
}

TEST(ScenarioRun, ActiveActiveWithThreeQuartersOfTheTunnelsDown) {
  auto run = run_three_tunnels_down(load("active-active.yaml"));
  ASSERT_TRUE(run);
  const design::Timeline& t = run->run.timeline;
  const Time degraded = run->degraded;
  const Time failed = run->failed;
  for (const std::string& direction : {to_cloud, to_onprem}) {
    // The one tunnel left carries everything.
    EXPECT_NEAR(share_at(t, "r2-g2", direction, degraded), 1.0, 1e-9) << direction;
    for (const design::FlowRow& row : t.flows) {
      if (row.direction != direction) continue;
      for (const design::OutageInterval& o : row.outages) {
        if (o.start < failed || o.start >= degraded) continue;
        EXPECT_LT(o.end, degraded) << row.name << " lost until the repair";
        EXPECT_LE(o.end - o.start, Duration::milliseconds(400)) << row.name;
      }
    }
  }
  for (const design::FlowRow& row : t.flows)
    for (const design::OutageInterval& o : row.outages) EXPECT_FALSE(o.ongoing()) << row.name;
  // r1 and g1 forward to their siblings: their notes say the tunnels went, not the sessions on the LAN.
  EXPECT_EQ(render_scenario_run(run->run).find("BGP r2 down"), std::string::npos);
}

// The same failures without the site pair sessions: the hole the iBGP
// sessions close. r2-g2 carries every flow that reaches r2 or g2, but the
// flows the LANs hash to r1 or g1 are lost until the repair.
TEST(ScenarioRun, ActiveActiveWithoutSitePairSessionsLosesWhatTheLanSendsToTheIsolatedRouters) {
  config::Topology topology = load("active-active.yaml");
  for (config::RouterConfig& r : topology.routers)
    std::erase_if(r.neighbors, [&](const config::Neighbor& n) { return !n.is_ebgp(r.local_as); });
  auto run = run_three_tunnels_down(topology);
  ASSERT_TRUE(run);
  const design::Timeline& t = run->run.timeline;
  const Time degraded = run->degraded;
  const Time failed = run->failed;
  for (const std::string& direction : {to_cloud, to_onprem}) {
    double delivered = 0;
    for (const std::string& tunnel : onprem_isp1) delivered += share_at(t, tunnel, direction, degraded);
    // Everything delivered crosses the one tunnel left ...
    EXPECT_NEAR(share_at(t, "r2-g2", direction, degraded), delivered, 1e-9) << direction;
    // ... and that is what the LAN hashes to the router that still has it.
    EXPECT_GT(delivered, 0.2) << direction;
    EXPECT_LT(delivered, 0.8) << direction;
    size_t lost_until_repair = 0;
    for (const design::FlowRow& row : t.flows) {
      if (row.direction != direction) continue;
      for (const design::OutageInterval& o : row.outages) {
        if (o.start < failed || o.start >= degraded) continue;
        // Either back within the detection bound, or out until the repair.
        if (o.end < degraded)
          EXPECT_LE(o.end - o.start, Duration::milliseconds(400)) << row.name;
        else
          ++lost_until_repair;
      }
    }
    EXPECT_GT(lost_until_repair, 0u) << direction;
  }
  // The repair brings every flow back.
  for (const design::FlowRow& row : t.flows)
    for (const design::OutageInterval& o : row.outages) EXPECT_FALSE(o.ongoing()) << row.name;
}
