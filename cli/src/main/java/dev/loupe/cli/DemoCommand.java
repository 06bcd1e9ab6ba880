package dev.loupe.cli;

import dev.loupe.report.DemoReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The report that shows the whole lecture on the bundled models. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Write one static HTML report (index.html and PNGs beside it) with the lecture's figures from the bundled models.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "loupe-demo",
            description = "The report folder; index.html inside (default ${DEFAULT-VALUE}). An earlier report there is replaced.")
    Path out;

    @Option(names = "--quick", description = "A smaller, faster report (fewer images, shorter t-SNE, two photos).")
    boolean quick;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DemoReport.Options opts = quick ? DemoReport.Options.quick(out) : DemoReport.Options.defaults(out);
        DemoReport.Result r = DemoReport.build(opts, err);
        o.println(String.format(java.util.Locale.ROOT, "wrote report %s (%d figures, %.1f s)", r.index(), r.images().size(), r.seconds()));
        return 0;
    }
}
