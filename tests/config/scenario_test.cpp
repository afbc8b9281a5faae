// Scenario files: steps read and checked against the topology, every
// mistake reported at file:line:col with its key path.
#include "config/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "config/loader.h"

namespace halink::config {
namespace {

Topology active_passive() {
  auto t = load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/active-passive.yaml");
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.message());
  return *t;
}

std::string error_of(std::string_view text, const Topology& topology) {
  auto s = load_scenario_string(text, topology, "s.yaml");
  EXPECT_FALSE(s.ok()) << text;
  return s.ok() ? "" : s.message();
}

TEST(Scenario, ReadsEveryStepKind) {
  const Topology topology = active_passive();
  auto s = load_scenario_string(
      "name: blackhole-then-isp1\n"
      "description: one tunnel, then the whole ISP\n"
      "steps:\n"
      "  - wait: converged\n"
      "  - wait: 250ms\n"
      "  - fail: tunnel-blackhole r1-g1\n"
      "  - fail: link-down r2-g1@g1\n"
      "  - restore: tunnel-blackhole r1-g1\n"
      "  - fail: underlay-loss isp1\n"
      "  - fail: halinkd-restart r2\n"
      "  - wait: 1.5s\n"
      "  - restore: all\n"
      "  - wait: 1m\n",
      topology, "s.yaml");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->name, "blackhole-then-isp1");
  EXPECT_EQ(s->description, "one tunnel, then the whole ISP");
  ASSERT_EQ(s->steps.size(), 10u);
  using K = ScenarioStep::Kind;
  EXPECT_EQ(s->steps[0].kind, K::wait_converged);
  EXPECT_EQ(s->steps[0].duration, scenario_converge_limit);
  EXPECT_EQ(s->steps[0].line, 4);
  EXPECT_EQ(s->steps[1].kind, K::wait_for);
  EXPECT_EQ(s->steps[1].duration, Duration::milliseconds(250));
  EXPECT_EQ(s->steps[2].kind, K::inject);
  EXPECT_EQ(s->steps[2].failure, (Failure{FailureKind::tunnel_blackhole, "r1-g1", ""}));
  EXPECT_EQ(s->steps[2].text, "fail: tunnel-blackhole r1-g1");
  EXPECT_EQ(s->steps[3].failure, (Failure{FailureKind::link_down, "r2-g1", "g1"}));
  EXPECT_EQ(s->steps[3].failure->to_string(), "link-down r2-g1@g1");
  EXPECT_EQ(s->steps[3].failure->describe(), "tunnel r2-g1 interface down on g1");
  EXPECT_EQ(s->steps[4].kind, K::restore);
  EXPECT_EQ(s->steps[6].failure->kind, FailureKind::halinkd_restart);
  EXPECT_EQ(s->steps[7].duration, Duration::milliseconds(1500));
  EXPECT_EQ(s->steps[8].kind, K::restore_all);
  EXPECT_EQ(s->steps[9].duration, Duration::seconds(60));
}

TEST(Scenario, NameDefaultsToTheFileName) {
  auto s = load_scenario_string("steps: [{wait: 3s}]\n", active_passive(), "dir/my-scenario.yaml");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->name, "my-scenario");
}

TEST(Scenario, FailureKindNamesRoundTrip) {
  EXPECT_EQ(all_failure_kinds().size(), 9u);
  for (FailureKind k : all_failure_kinds()) EXPECT_EQ(failure_kind_from_name(failure_kind_name(k)), k);
  EXPECT_FALSE(failure_kind_from_name("router-pair-crash"));
  EXPECT_TRUE(failure_is_instant(FailureKind::halinkd_restart));
  EXPECT_FALSE(failure_is_instant(FailureKind::router_crash));
}

TEST(Scenario, Durations) {
  EXPECT_EQ(parse_duration("250ms"), Duration::milliseconds(250));
  EXPECT_EQ(parse_duration("3s"), Duration::seconds(3));
  EXPECT_EQ(parse_duration("0.5s"), Duration::milliseconds(500));
  EXPECT_EQ(parse_duration("2m"), Duration::seconds(120));
  for (const char* bad : {"", "3", "s", "3h", "-1s", "0s", "1.2.3s", "3 s", ".s", "0.1ms", "99999999m"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

struct BadScenario {
  const char* what;
  std::string text;
  std::string expected;  // a substring of the message, which starts with file:line:col
};

TEST(Scenario, MistakesAreLocated) {
  const Topology topology = active_passive();
  const std::vector<BadScenario> cases = {
      {"unknown top key", "nme: x\nsteps: [{wait: 3s}]\n", "s.yaml:1:1: nme: unknown key 'nme' (did you mean 'name'?)"},
      {"no steps", "name: x\n", "missing required key 'steps'"},
      {"empty steps", "steps: []\n", "s.yaml:1:8: steps: a scenario needs at least one step"},
      {"bad duration", "steps:\n  - wait: 3 seconds\n", "s.yaml:2:11: steps[0].wait: expected 'converged' or a duration"},
      {"unknown step key", "steps:\n  - wiat: 3s\n", "s.yaml:2:5: steps[0].wiat: unknown key 'wiat' (did you mean 'wait'?)"},
      {"two keys in one step", "steps:\n  - {wait: 3s, fail: router-crash r1}\n",
       "s.yaml:2:5: steps[0]: a step is one of wait:, fail:, restore:, change:"},
      {"unknown kind", "steps:\n  - fail: tunnel-blackhol r1-g1\n",
       "s.yaml:2:11: steps[0].fail: unknown failure kind 'tunnel-blackhol' (did you mean 'tunnel-blackhole'?)"},
      {"unknown tunnel", "steps:\n  - wait: 1s\n  - fail: tunnel-down r1-g3\n",
       "s.yaml:3:11: steps[1].fail: no tunnel named 'r1-g3' (did you mean"},
      {"kind needs a router", "steps:\n  - fail: router-crash isp1\n", "no router named 'isp1'"},
      {"underlay", "steps:\n  - fail: underlay-loss isp3\n", "no underlay named 'isp3' (did you mean"},
      {"device", "steps:\n  - fail: device-crash fw1\n", "no device named 'fw1'"},
      {"end without router", "steps:\n  - fail: link-down r1-g1\n", "write TUNNEL@ROUTER, e.g. 'r1-g1@r1'"},
      {"end not on the tunnel", "steps:\n  - fail: tunnel-process-crash r1-g1@r2\n",
       "tunnel r1-g1 runs between r1 and g1, not r2"},
      {"@ on a whole tunnel", "steps:\n  - fail: tunnel-blackhole r1-g1@r1\n", "without '@ROUTER'"},
      {"missing target", "steps:\n  - fail: router-crash\n", "expected KIND TARGET"},
      {"restore not failed", "steps:\n  - restore: router-crash r1\n", "no earlier step failed router-crash r1"},
      {"restore twice", "steps:\n  - fail: router-crash r1\n  - restore: router-crash r1\n  - restore: router-crash r1\n",
       "s.yaml:4:14: steps[2].restore: no earlier step failed"},
      {"fail twice", "steps:\n  - fail: router-crash r1\n  - fail: router-crash r1\n", "already in force"},
      {"restore an instant", "steps:\n  - fail: halinkd-restart r1\n  - restore: halinkd-restart r1\n",
       "nothing to restore"},
      {"restore all with nothing", "steps:\n  - restore: all\n", "no failure is in force"},
      {"change file missing", "steps:\n  - change: nowhere.yaml\n", "s.yaml:2:13: steps[0].change: the changed topology does not load"},
      {"yaml syntax", "steps: [\n", "YAML syntax error"},
  };
  for (const BadScenario& c : cases) {
    std::string message = error_of(c.text, topology);
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.what << ":\n" << message;
  }
}

TEST(Scenario, SeveralMistakesAreReportedTogether) {
  std::string message = error_of("steps:\n  - wait: soon\n  - fail: router-crash r9\n", active_passive());
  EXPECT_NE(message.find("s.yaml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("s.yaml:3:"), std::string::npos) << message;
}

class ScenarioChange : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("halink-scenario-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ifstream in(std::string(HALINK_SOURCE_DIR) + "/examples/active-passive.yaml");
    original_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string replaced(std::string from, const std::string& to) const {
    std::string text = original_;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }
  std::filesystem::path dir_;
  std::string original_;
};

TEST_F(ScenarioChange, NamesTheRoutersWhoseSectionDiffers) {
  // The on-premises routers' standby prepend grows from one AS to three.
  write("variant.yaml", replaced("        set: {prepend: 1}\n  from-cloud:", "        set: {prepend: 3}\n  from-cloud:"));
  write("s.yaml", "steps:\n  - wait: converged\n  - change: variant.yaml\n  - wait: 5s\n");
  auto s = load_scenario((dir_ / "s.yaml").string(), active_passive());
  ASSERT_TRUE(s.ok()) << s.message();
  const ScenarioStep& change = s->steps[1];
  EXPECT_EQ(change.kind, ScenarioStep::Kind::change);
  EXPECT_EQ(change.change_file, (dir_ / "variant.yaml").string());
  EXPECT_EQ(change.changed_routers, (std::vector<std::string>{"r1", "r2"}));
  ASSERT_TRUE(change.topology.has_value());
  EXPECT_EQ(change.topology->routers.size(), 4u);
}

TEST_F(ScenarioChange, StepsAfterAChangeAreCheckedAgainstTheChangedTopology) {
  // Several steps after the change: the vector of steps grows (and moves)
  // while later failures are still checked against the change's topology.
  write("variant.yaml", replaced("        set: {prepend: 1}\n  from-cloud:", "        set: {prepend: 3}\n  from-cloud:"));
  std::string steps = "steps:\n  - change: variant.yaml\n";
  for (int i = 0; i < 8; ++i) steps += "  - fail: tunnel-blackhole r1-g1\n  - restore: tunnel-blackhole r1-g1\n";
  steps += "  - fail: tunnel-blackhole r9-g9\n";
  auto s = load_scenario_string(steps, active_passive(), "s.yaml", dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("s.yaml:19:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("r9-g9"), std::string::npos) << s.message();
}

TEST_F(ScenarioChange, OnlyRouterSectionsMayDiffer) {
  write("variant.yaml", replaced("bandwidth_mbps: 250", "bandwidth_mbps: 500"));
  auto s = load_scenario_string("steps:\n  - change: variant.yaml\n", active_passive(), "s.yaml", dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("differs in underlays"), std::string::npos) << s.message();
}

TEST_F(ScenarioChange, AChangeThatChangesNothingIsAMistake) {
  write("same.yaml", original_);
  auto s = load_scenario_string("steps:\n  - change: same.yaml\n", active_passive(), "s.yaml", dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no router section that differs"), std::string::npos) << s.message();
}

TEST(Scenario, ExampleScenariosLoad) {
  // examples/scenarios/<topology>/<scenario>.yaml; variant-*.yaml are changed topologies.
  const std::filesystem::path root = std::filesystem::path(HALINK_SOURCE_DIR) / "examples" / "scenarios";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no examples/scenarios";
  for (const auto& folder : std::filesystem::directory_iterator(root)) {
    if (!folder.is_directory()) continue;
    auto topology = load_topology((root.parent_path() / (folder.path().filename().string() + ".yaml")).string());
    ASSERT_TRUE(topology.ok()) << topology.message();
    for (const auto& entry : std::filesystem::directory_iterator(folder.path())) {
      if (entry.path().extension() != ".yaml" || entry.path().filename().string().starts_with("variant-")) continue;
      auto s = load_scenario(entry.path().string(), *topology);
      EXPECT_TRUE(s.ok()) << s.message();
    }
  }
}

// What `wait: converged` expects down, in the simulator and the lab alike.
TEST(Scenario, ARouterCrashTakesDownItsSessionsTheSessionsTowardsItAndItsSitePairSession) {
  const Topology topology = active_passive();
  auto crash = parse_failure("router-crash r1", topology);
  ASSERT_TRUE(crash.ok()) << crash.message();
  const FailureEffect effect = failures_take_down({*crash}, topology);
  EXPECT_EQ(effect.routers, (std::set<std::string>{"r1"}));
  auto session = [&](const std::string& router, const std::string& neighbor) {
    const Neighbor* n = topology.find_router(router)->find_neighbor(neighbor);
    EXPECT_NE(n, nullptr) << router << "/" << neighbor;
    return n && effect.takes_down(topology, router, *n);
  };
  EXPECT_TRUE(session("r1", "r1-g1"));
  EXPECT_TRUE(session("g1", "r1-g1"));      // over a tunnel with a crashed end
  EXPECT_TRUE(session("r2", "r1"));         // the site pair session towards r1
  EXPECT_FALSE(session("g1", "r2-g1"));
  EXPECT_FALSE(session("g1", "g2"));
}

}  // namespace
}  // namespace halink::config
