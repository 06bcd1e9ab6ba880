package dev.loupe.cli;

import dev.loupe.render.BundledModels;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists the bundled models that --model accepts by name. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the bundled models (usable as --model NAME) with their input and provenance.")
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (BundledModels.Model m : BundledModels.ALL) {
            String where = BundledModels.path(m).map(Object::toString).orElse("models/" + m.file() + " (not found)");
            String input = m.input() == BundledModels.Input.IMAGENET ? "RGB 224x224, --preset imagenet" : "gray 28x28 as x/255";
            out.printf("%-20s %s%n", m.name(), where);
            out.printf("%-20s input: %s; labels: %s%n", "", input, m.labels());
            out.printf("%-20s %s%n", "", m.provenance());
        }
        return 0;
    }
}
