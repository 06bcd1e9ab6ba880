package dev.loupe.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Entry point of the loupe command. */
@Command(name = "loupe", mixinStandardHelpOptions = true, version = "loupe 0.1.0",
        description = "Visual explanations for CNN image classifiers given as ONNX files.",
        subcommands = {InfoCommand.class, PredictCommand.class, ActivationsCommand.class, ExplainCommand.class,
                CompareCommand.class, TrainCommand.class, EvaluateCommand.class, ModelsCommand.class, DemoCommand.class,
                FiltersCommand.class,
                PatchesCommand.class, DeconvCommand.class, EmbedCommand.class, NeighborsCommand.class, TsneCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int USAGE = 2;
    public static final int FAILURE = 1;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; try 'loupe --help'");
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /** Runs the command line with the given streams and returns the exit code; used by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        System.setProperty("java.awt.headless", "true");
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String msg = ex.getMessage() == null ? "invalid arguments" : ex.getMessage().replaceFirst("^Error: ", "");
            err.println("loupe: error: " + msg + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("loupe: error: " + describe(ex));
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ex instanceof UsageException ? USAGE : FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A one-line account of a failure, for people. */
    static String describe(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of memory; give Java more with JAVA_OPTS=-Xmx8g, or use a smaller --batch";
        }
        if (ex instanceof StackOverflowError) {
            return "stack overflow; run with a larger stack (java -Xss16m)";
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            Throwable cause = ex.getCause();
            return cause != null && cause != ex ? describe(cause) : ex.getClass().getSimpleName() + " (run with --debug for details)";
        }
        return m.replace('\n', ' ');
    }
}
