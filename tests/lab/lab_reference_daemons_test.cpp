// `daemon: bird | frr` in the lab (issue 7): the article's active/active
// design with gateway g1 on BIRD and g2 on FRR, configured from their
// sections of the same file, and halinkd on premises. Every session comes
// up (BGP and BFD, as each daemon reports it), every router has a
// multipath route over both its tunnels in its kernel table — four tunnels,
// each used from both sides — and a crash of BIRD and a restart of FRR (by
// PID) are recovered from. Everything is removed afterwards.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/scenario.h"
#include "lab/command.h"
#include "lab/convergence.h"
#include "lab/failures.h"
#include "lab/lab.h"
#include "lab/reference_daemon.h"
#include "../support/kernel_routes.h"
#include "../support/netns.h"

namespace halink::lab {
namespace {

namespace fs = std::filesystem;

struct LabGuard {
  std::unique_ptr<Lab> lab;
  std::string file;
  ~LabGuard() {
    if (lab) (void)lab->teardown();
    if (!file.empty()) fs::remove(file);
  }
};

// The example with g1 on BIRD and g2 on FRR, under its own lab name so it
// never meets the smoke test's lab.
std::string write_mixed_topology() {
  std::ifstream in(std::string(HALINK_SOURCE_DIR) + "/examples/active-active.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  auto insert_after = [&](const std::string& line, const std::string& added) {
    size_t at = yaml.find(line);
    if (at != std::string::npos) yaml.insert(at + line.size(), added);
  };
  yaml.replace(yaml.find("name: active-active"), 19, "name: lab-mixed");
  insert_after("    description: gateway-cloud-1\n", "    daemon: bird\n");
  insert_after("    description: gateway-cloud-2\n", "    daemon: frr\n");
  std::string file = "/tmp/halink-lab-mixed-" + std::to_string(getpid()) + ".yaml";
  std::ofstream(file) << yaml;
  return file;
}

// For failure messages: the router's routes and nexthop objects.
std::string kernel_text(const Lab& lab, const std::string& router) {
  std::string ns = lab.plan().find_namespace_of(router)->name;
  auto routes = run_command({"ip", "-n", ns, "route"});
  auto nexthops = run_command({"ip", "-n", ns, "nexthop"});
  return (routes ? *routes : routes.message()) + (nexthops ? *nexthops : nexthops.message());
}

using Gateways = std::vector<std::string>;

// The gateways of `prefix` in the router's kernel once they are `expected`,
// or what they are after 5 s: "converged" is judged from the daemons'
// sessions and routes, and the kernel write can trail it on a loaded machine.
Gateways kernel_gateways(const Lab& lab, const std::string& router, const std::string& prefix, int protocol,
                         const Gateways& expected) {
  Gateways found;
  halink::testing::wait_until(
      [&] {
        auto routes = halink::testing::kernel_routes(lab.plan().find_namespace_of(router)->name,
                                                     halink::testing::IpFamily::v4, protocol);
        found = routes.count(prefix) ? routes[prefix] : Gateways{};
        return found == expected;
      },
      std::chrono::seconds(5));
  return found;
}

void expect_gateways(const Lab& lab, const std::string& router, const std::string& prefix, int protocol,
                     const Gateways& expected) {
  EXPECT_EQ(kernel_gateways(lab, router, prefix, protocol, expected), expected)
      << router << " " << prefix << ":\n" << kernel_text(lab, router);
}

TEST(LabReferenceDaemons, GatewaysOnBirdAndFrrActiveActive) {
  if (!halink::testing::running_as_root()) GTEST_SKIP() << "SKIPPED: the lab needs root (network namespaces)";
  for (const char* tool : {"wireguard-go", "wg", "nft", "tc"})
    if (!run_command({"sh", "-c", std::string("command -v ") + tool}))
      GTEST_SKIP() << "SKIPPED: " << tool << " is not installed";
  for (config::DaemonKind kind : {config::DaemonKind::bird, config::DaemonKind::frr})
    if (std::string missing = missing_reference_binaries(kind); !missing.empty())
      GTEST_SKIP() << "SKIPPED: " << config::daemon_kind_name(kind) << " is not installed: " << missing;
  auto started = std::chrono::steady_clock::now();

  LabGuard guard;
  guard.file = write_mixed_topology();
  {
    LabOptions options;
    options.halinkd_path = HALINK_HALINKD;
    auto lab = Lab::up(guard.file, options);
    ASSERT_TRUE(lab) << lab.message();
    guard.lab = std::move(*lab);
  }
  Lab& lab = *guard.lab;
  auto converged = wait_converged(lab, ConvergenceOptions{});
  ASSERT_TRUE(converged) << converged.message();
  std::printf("cold start with BIRD and FRR gateways: sessions up after %.3f s\n",
              converged->sessions_up_after.seconds_f());

  // ECMP in every kernel: on premises over both gateways, in the cloud
  // over both on-premises routers, installed by each router's own daemon.
  using halink::testing::kernel_protocol_bird;
  using halink::testing::kernel_protocol_frr_bgp;
  using halink::testing::kernel_protocol_halinkd;
  expect_gateways(lab, "r1", "10.2.0.0/16", kernel_protocol_halinkd, Gateways{"169.254.21.2", "169.254.21.6"});
  expect_gateways(lab, "r2", "10.2.0.0/16", kernel_protocol_halinkd, Gateways{"169.254.21.10", "169.254.21.14"});
  expect_gateways(lab, "g1", "10.1.0.0/16", kernel_protocol_bird, Gateways{"169.254.21.1", "169.254.21.9"});
  expect_gateways(lab, "g2", "10.1.0.0/16", kernel_protocol_frr_bgp, Gateways{"169.254.21.13", "169.254.21.5"});

  // BIRD crashes with its router (kill -9 by PID, links down) and returns;
  // FRR's three daemons are killed and restarted at once.
  FailureInjector failures(lab);
  config::Failure crash{config::FailureKind::router_crash, "g1", ""};
  ASSERT_TRUE(failures.inject(crash));
  auto during = wait_converged(lab, failures.expectation());
  EXPECT_TRUE(during) << during.message();
  expect_gateways(lab, "r1", "10.2.0.0/16", kernel_protocol_halinkd, Gateways{"169.254.21.6"});
  ASSERT_TRUE(failures.restore(crash));
  config::Failure restart{config::FailureKind::halinkd_restart, "g2", ""};
  ASSERT_TRUE(failures.inject(restart));
  auto after = wait_converged(lab, ConvergenceOptions{});
  ASSERT_TRUE(after) << after.message();
  expect_gateways(lab, "r1", "10.2.0.0/16", kernel_protocol_halinkd, Gateways{"169.254.21.2", "169.254.21.6"});
  expect_gateways(lab, "g2", "10.1.0.0/16", kernel_protocol_frr_bgp, Gateways{"169.254.21.13", "169.254.21.5"});

  EXPECT_TRUE(lab.teardown());
  guard.lab.reset();
  auto left = run_command({"ip", "netns", "list"});
  EXPECT_TRUE(left && left->find("hl-lab-mixed-") == std::string::npos) << *left;
  EXPECT_FALSE(fs::exists(state_file_path("lab-mixed")));
  std::printf("lab reference daemons test took %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
}  // namespace halink::lab
