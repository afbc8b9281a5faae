// BIRD and FRR configurations generated from a router's section: what the
// article's designs need is there (timers, BFD, prepend, ECMP, kernel),
// BIRD accepts the file, and what cannot be expressed is refused by name.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/loader.h"
#include "lab/command.h"
#include "lab/daemon_config.h"
#include "lab/reference_daemon.h"

namespace halink::lab {
namespace {

const std::string examples = std::string(HALINK_SOURCE_DIR) + "/examples/";

config::RouterConfig router_of(const std::string& file, const std::string& name) {
  auto topology = config::load_topology(examples + file);
  EXPECT_TRUE(topology) << topology.message();
  const config::RouterConfig* r = topology->find_router(name);
  EXPECT_NE(r, nullptr);
  return *r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(DaemonConfig, BirdActivePassiveGateway) {
  auto config = bird_config(router_of("active-passive.yaml", "g1"));
  ASSERT_TRUE(config) << config.message();
  EXPECT_TRUE(contains(*config, "local as 65515;")) << *config;
  EXPECT_TRUE(contains(*config, "neighbor 169.254.21.1 port 179 as 65001;"));
  EXPECT_TRUE(contains(*config, "hold time 9;"));
  EXPECT_TRUE(contains(*config, "keepalive time 3;"));
  EXPECT_TRUE(contains(*config, "min tx interval 300 ms;"));
  EXPECT_TRUE(contains(*config, "multiplier 3;"));
  EXPECT_TRUE(contains(*config, "merge paths on limit 4;"));
  EXPECT_TRUE(contains(*config, "route 10.2.0.0/16 blackhole;"));
  EXPECT_TRUE(contains(*config, "net ~ [ 10.1.0.0/16{16,24} ]"));
  // The ISP 2 sessions' export prepends once.
  std::string standby = config->substr(config->find("filter bgp_r1_g1_isp2_export"));
  EXPECT_TRUE(contains(standby.substr(0, standby.find("}\n}")), "bgp_path.prepend(65515);")) << standby;

  if (access(bird_binary, X_OK) != 0) GTEST_SKIP() << "SKIPPED: BIRD's own parse (bird -p): not installed";
  std::string file = ::testing::TempDir() + "/halink-bird-" + std::to_string(getpid()) + ".conf";
  { std::ofstream(file) << *config; }
  Argv parse = bird_argv(file, file + ".ctl");
  parse.push_back("-p");
  auto parsed = run_command(parse);
  std::filesystem::remove(file);
  EXPECT_TRUE(parsed) << parsed.message() << "\n" << *config;
}

TEST(DaemonConfig, FrrActivePassiveGateway) {
  auto config = frr_config(router_of("active-passive.yaml", "g1"));
  ASSERT_TRUE(config) << config.message();
  const std::string& bgpd = config->bgpd;
  EXPECT_TRUE(contains(bgpd, "router bgp 65515\n")) << bgpd;
  EXPECT_TRUE(contains(bgpd, " neighbor 169.254.21.1 remote-as 65001\n"));
  EXPECT_TRUE(contains(bgpd, " neighbor 169.254.21.1 timers 3 9\n"));
  EXPECT_TRUE(contains(bgpd, " neighbor 169.254.21.1 bfd profile halink-300ms-x3\n"));
  EXPECT_TRUE(contains(bgpd, "  maximum-paths 4\n"));
  EXPECT_TRUE(contains(bgpd, "  network 10.2.0.0/16\n"));
  EXPECT_TRUE(contains(bgpd, "ip prefix-list r1-g1-in-10 seq 5 permit 10.1.0.0/16 le 24\n"));
  EXPECT_TRUE(contains(bgpd, "route-map r1-g1-isp2-out permit 10\n match ip address prefix-list r1-g1-isp2-out-10\n"
                             " set as-path prepend 65515\n"));
  EXPECT_TRUE(contains(config->bfdd, "  receive-interval 300\n  transmit-interval 300\n"));
}

TEST(DaemonConfig, WhatCannotBeExpressedIsRefusedByName) {
  config::RouterConfig router = router_of("active-active.yaml", "g1");
  router.neighbors[0].bfd->log_only = true;
  for (config::DaemonKind daemon : {config::DaemonKind::bird, config::DaemonKind::frr}) {
    Status s = check_reference_config(router, daemon);
    ASSERT_FALSE(s);
    EXPECT_TRUE(contains(s.message(), "BFD log_only")) << s.message();
    EXPECT_TRUE(contains(s.message(), "neighbour r1-g1")) << s.message();
  }
  router = router_of("active-active.yaml", "g1");
  router.neighbors[0].policy.import_policy->terms[0].match.communities.push_back(0xFFFF0000);
  auto bird = bird_config(router);
  ASSERT_FALSE(bird);
  EXPECT_TRUE(contains(bird.message(), "match on communities")) << bird.message();
  router = router_of("active-active.yaml", "g1");
  router.fib.table = 100;
  EXPECT_TRUE(bird_config(router));
  EXPECT_FALSE(frr_config(router));
}

}  // namespace
}  // namespace halink::lab
