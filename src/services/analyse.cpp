#include "celltrial/services/analyse.hpp"

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/schema.hpp"

namespace celltrial::services {

namespace {

/// The value a name stands for among a scenario's choices; a usage error naming the option (with
/// the closest name) for any other.
template <class E, std::size_t N>
E choose(const std::array<schema::Option<E>, N>& options, const std::string& name, const std::string& option) {
  std::vector<std::string> names;
  for (const auto& o : options) {
    if (name == o.name) return o.value;
    names.push_back(o.name);
  }
  std::string allowed;
  for (const auto& n : names) allowed += (allowed.empty() ? "" : ", ") + n;
  const std::string near = closest_match(name, names);
  throw Error(ExitCode::usage, Diagnostic{{"command line (" + option + ")", 0, 0}, "",
                                          "'" + name + "' is not one of " + allowed + ".",
                                          near.empty() ? "give one of them." : "did you mean '" + near + "'?"});
}

}  // namespace

DataAnalysis analyse(const AnalyseRequest& rq) {
  LongDataOptions opts = rq.options;
  opts.method = choose(schema::kMethods, rq.method, "--method");
  opts.estimand = choose(schema::kEstimands, rq.estimand, "--estimand");
  if (!rq.covariance.empty()) opts.covariance = choose(schema::kCovarianceStructures, rq.covariance, "--covariance");
  if (!rq.df.empty()) opts.df = choose(schema::kDfMethods, rq.df, "--df");
  if (rq.fallback) {
    std::vector<CovarianceStructure> list;
    for (const auto& f : *rq.fallback)
      if (f != "none") list.push_back(choose(schema::kCovarianceStructures, f, "--fallback"));
    if (list.size() != rq.fallback->size() && !list.empty())
      throw Error(ExitCode::usage, Diagnostic{{"command line (--fallback)", 0, 0}, "",
                                              "'none' cannot be listed with structures.",
                                              "give structures, e.g. --fallback toeplitz,cs, or --fallback none."});
    opts.fallback = list;
  }
  if (rq.data_text.empty()) return analyse_data_file(rq.data_file, opts);
  const std::string source = rq.data_file.empty() ? "data text" : rq.data_file;
  return analyse_long_data(prepare_long_data(parse_csv(rq.data_text, source, CsvSelection{"trial", opts.trial}), opts));
}

}  // namespace celltrial::services
