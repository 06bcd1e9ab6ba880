package dev.loupe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the CLI in-process and captures what it prints. */
record Run(int code, String out, String err) {
    static Run of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }

    /** The repository root (where models/ lives), from the module's working directory. */
    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("models/squeezenet1.1-imagenet.onnx"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("bundled model models/squeezenet1.1-imagenet.onnx not found above " + Path.of("").toAbsolutePath());
    }
}
