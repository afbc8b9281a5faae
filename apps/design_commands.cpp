#include "design_commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/loader.h"
#include "config/scenario.h"
#include "design/check.h"
#include "design/timeline_svg.h"
#include "sim/world/failover_report.h"
#include "sim/world/scenario_run.h"

namespace {

using namespace halink;

Result<config::Topology> load(const std::string& path) { return config::load_topology(path); }

// "KIND:NAME" as on the command line; the scenario files' parser checks it.
Result<sim::Failure> parse_failure(const std::string& text, const config::Topology& topology) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return Error{"expected KIND:NAME, e.g. tunnel-blackhole:r1-g1"};
  return config::parse_failure(text.substr(0, colon) + " " + text.substr(colon + 1), topology);
}

bool write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out.flush());
}

// Runs a scenario, prints its timeline and summary, writes the SVG when asked.
int run_scenario_command(const char* command, const config::Topology& topology, const std::string& scenario_path,
                         const sim::ScenarioOptions& options, const std::string& svg_path) {
  auto scenario = config::load_scenario(scenario_path, topology);
  if (!scenario) {
    std::fprintf(stderr, "%s\n", scenario.message().c_str());
    return 2;
  }
  std::cout << "scenario " << scenario->name << " on " << topology.name;
  if (!scenario->description.empty()) std::cout << ": " << scenario->description;
  std::cout << "\n\n";
  auto run = sim::run_scenario(topology, *scenario, options);
  if (!run) {
    std::fprintf(stderr, "halink %s: %s\n", command, run.message().c_str());
    return 1;
  }
  std::cout << sim::render_scenario_run(*run);
  if (!svg_path.empty()) {
    if (!write_text_file(svg_path, design::render_timeline_svg(run->timeline))) {
      std::fprintf(stderr, "halink %s: cannot write %s\n", command, svg_path.c_str());
      return 2;
    }
    std::cout << "\ntimeline drawn in " << svg_path << "\n";
  }
  return 0;
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
  static std::string sim_file, sim_scenario, sim_svg;
  static std::vector<std::string> failures;
  static uint64_t seed = 1;
  static int flows = 0;
  static bool bfd_events = false;
  auto* simulate = app.add_subcommand("sim", "run a design in virtual time with halink's BGP and BFD code");
  simulate->add_option("file", sim_file, "topology file")->required();
  simulate->add_option("-f,--failure", failures,
                       "KIND:NAME, KIND one of the failure kinds of scenario files, e.g. tunnel-blackhole:r1-g1 "
                       "or link-down:r1-g1@r1 (default: every single failure)");
  simulate->add_option("-s,--scenario", sim_scenario, "scenario file: run its steps and print a timeline");
  simulate->add_option("--svg", sim_svg, "with --scenario: draw the timeline as SVG into this file");
  simulate->add_flag("--bfd-events", bfd_events, "with --scenario: list BFD state changes too");
  simulate->add_option("--seed", seed, "random seed (same seed, same result)");
  simulate->add_option("--flows", flows, "flows per direction between each pair of sites (default 64; 16 with --scenario)")
      ->check(CLI::Range(1, 4096));
  simulate->callback([&exit_code] {
    auto topology = load(sim_file);
    if (!topology) {
      std::fprintf(stderr, "%s\n", topology.message().c_str());
      exit_code = 2;
      return;
    }
    if (!sim_scenario.empty()) {
      if (!failures.empty()) {
        std::fprintf(stderr, "halink sim: --failure and --scenario exclude each other (put the failures in the scenario)\n");
        exit_code = 2;
        return;
      }
      sim::ScenarioOptions options;
      options.seed = seed;
      if (flows) options.flows_per_direction = flows;
      options.bfd_events = bfd_events;
      exit_code = run_scenario_command("sim", *topology, sim_scenario, options, sim_svg);
      return;
    }
    if (!sim_svg.empty()) {
      std::fprintf(stderr, "halink sim: --svg draws a scenario's timeline: give --scenario too\n");
      exit_code = 2;
      return;
    }
    std::vector<sim::Failure> list;
    for (const std::string& text : failures) {
      auto f = parse_failure(text, *topology);
      if (!f) {
        std::fprintf(stderr, "halink sim: bad --failure '%s': %s\n", text.c_str(), f.message().c_str());
        exit_code = 2;
        return;
      }
      list.push_back(*f);
    }
    if (list.empty()) list = sim::single_failures(*topology);
    sim::RunOptions options;
    options.seed = seed;
    options.flows_per_direction = flows ? flows : 64;
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
  static std::string demo_svg;
  auto* demo = app.add_subcommand("demo", "the article's active/passive design through a failure scenario, in virtual time");
  demo->add_option("--examples", examples, "folder with the example topologies");
  demo->add_option("--svg", demo_svg, "draw the timeline as SVG into this file");
  demo->callback([&exit_code] {
    const std::string topology_path = examples + "/active-passive.yaml";
    const std::string scenario_path = examples + "/scenarios/active-passive/blackhole-then-isp1.yaml";
    auto topology = load(topology_path);
    if (!topology) {
      std::fprintf(stderr, "%s\n", topology.message().c_str());
      exit_code = 2;
      return;
    }
    std::cout << "The article's active/passive design (" << topology_path << "):\n  " << topology->description
              << "\nrun in virtual time by halinkd's own BGP and BFD code (" << scenario_path << ").\n";
    std::cout << "check: " << design::check_design(*topology).verdict() << "\n\n";
    exit_code = run_scenario_command("demo", *topology, scenario_path, {}, demo_svg);
    if (exit_code != 0) return;
    std::cout << "\nThe other designs, checked (halink check FILE for the details):\n";
    for (const char* file : {"active-active.yaml", "single-firewall.yaml", "azure-managed.yaml", "private-circuit.yaml"}) {
      auto other = load(examples + "/" + file);
      if (!other) {
        std::fprintf(stderr, "%s\n", other.message().c_str());
        exit_code = 2;
        return;
      }
      design::Report report = design::check_design(*other);
      std::cout << "  " << file << ": " << report.verdict() << "\n";
      for (const design::Finding* f : report.of_kind(design::FindingKind::single_point_of_failure))
        std::cout << "    - " << f->message << "\n";
    }
  });
}
