#include "design_commands.h"

#include <cstdio>
#include <iostream>

#include "config/loader.h"
#include "design/check.h"
#include "sim/world/failover_report.h"

namespace {

using namespace halink;

Result<config::Topology> load(const std::string& path) { return config::load_topology(path); }

std::optional<sim::Failure> parse_failure(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string kind = text.substr(0, colon);
  sim::Failure f;
  f.target = text.substr(colon + 1);
  for (auto k : {sim::Failure::Kind::tunnel_blackhole, sim::Failure::Kind::tunnel_down,
                 sim::Failure::Kind::router_crash, sim::Failure::Kind::underlay_loss,
                 sim::Failure::Kind::device_crash})
    if (kind == sim::failure_kind_name(k)) {
      f.kind = k;
      return f;
    }
  return std::nullopt;
}

}  // namespace

void add_design_commands(CLI::App& app, int& exit_code) {
  // ---- check
  static std::string check_file;
  static bool check_json = false, no_sim = false;
  static int k = 1;
  auto* check = app.add_subcommand("check", "find single points of failure, timer mismatches and failover times");
  check->add_option("file", check_file, "topology file")->required();
  check->add_flag("--json", check_json, "JSON report");
  check->add_option("--k", k, "also list pairs of failures that cut the design (2)")->check(CLI::Range(1, 2));
  check->add_flag("--no-sim", no_sim, "static analysis only (skip the simulated failover per failure)");
  check->callback([&exit_code] {
    auto topology = load(check_file);
    if (!topology) {
      std::fprintf(stderr, "%s\n", topology.message().c_str());
      exit_code = 2;
      return;
    }
    design::Report report = design::check_design(*topology, {.max_failures = k});
    if (!no_sim) {
      auto run = sim::run_design(*topology, sim::single_failures(*topology), {});
      if (run)
        sim::add_to_report(*run, report);
      else
        std::fprintf(stderr, "halink check: simulation: %s\n", run.message().c_str());
    }
    std::cout << (check_json ? design::render_json(report) + "\n" : design::render_text(report));
    exit_code = report.has_errors() ? 1 : 0;
  });

  // ---- sim
  static std::string sim_file;
  static std::vector<std::string> failures;
  static uint64_t seed = 1;
  static int flows = 64;
  auto* simulate = app.add_subcommand("sim", "run a design in virtual time with halink's BGP and BFD code");
  simulate->add_option("file", sim_file, "topology file")->required();
  simulate->add_option("-f,--failure", failures,
                       "KIND:NAME, KIND one of tunnel-blackhole, tunnel-down, router-crash, underlay-loss, "
                       "device-crash (default: every single failure)");
  simulate->add_option("--seed", seed, "random seed (same seed, same result)");
  simulate->add_option("--flows", flows, "flows per direction between each pair of sites");
  simulate->callback([&exit_code] {
    auto topology = load(sim_file);
    if (!topology) {
      std::fprintf(stderr, "%s\n", topology.message().c_str());
      exit_code = 2;
      return;
    }
    std::vector<sim::Failure> list;
    for (const std::string& text : failures) {
      auto f = parse_failure(text);
      if (!f) {
        std::fprintf(stderr, "halink sim: bad --failure '%s' (KIND:NAME, e.g. tunnel-blackhole:r1-g1)\n", text.c_str());
        exit_code = 2;
        return;
      }
      list.push_back(*f);
    }
    if (list.empty()) list = sim::single_failures(*topology);
    sim::RunOptions options;
    options.seed = seed;
    options.flows_per_direction = flows;
    auto run = sim::run_design(*topology, list, options);
    if (!run) {
      std::fprintf(stderr, "halink sim: %s\n", run.message().c_str());
      exit_code = 1;
      return;
    }
    std::cout << topology->name << ": " << topology->description << "\n" << sim::render_design_run(*run);
  });

  // ---- demo
  static std::string examples = HALINK_EXAMPLES_DIR;
  auto* demo = app.add_subcommand("demo", "the article's designs, checked and simulated");
  demo->add_option("--examples", examples, "folder with the example topologies");
  demo->callback([&exit_code] {
    struct Design {
      const char* file;
      const char* title;
    };
    for (Design d : {Design{"active-active.yaml", "Active/active: 2 + 2 routers, 4 tunnels, ECMP, BFD 100 ms x 3"},
                     Design{"active-passive.yaml", "Active/passive: 8 tunnels over two ISPs, prepend on the slower one"},
                     Design{"single-firewall.yaml", "The article's SPOF: one firewall behind both routers"}}) {
      std::string path = examples + "/" + d.file;
      auto topology = load(path);
      if (!topology) {
        std::fprintf(stderr, "%s\n", topology.message().c_str());
        exit_code = 2;
        return;
      }
      std::cout << "\n=== " << d.title << "\n    (" << path << ")\n";
      design::Report report = design::check_design(*topology);
      std::cout << "check: " << report.verdict() << "\n";
      for (const design::Finding* f : report.of_kind(design::FindingKind::single_point_of_failure))
        std::cout << "  - " << f->message << "\n";
      auto run = sim::run_design(*topology, sim::single_failures(*topology), {});
      if (!run) {
        std::fprintf(stderr, "halink demo: %s\n", run.message().c_str());
        exit_code = 1;
        return;
      }
      std::cout << sim::render_design_run(*run);
    }
  });
}
