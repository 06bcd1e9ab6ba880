package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Models;
import dev.loupe.explain.indirect.DeconvReconstruction;
import dev.loupe.explain.indirect.MaxActivatingPatches;
import dev.loupe.explain.indirect.TileGrid;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Png;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** DeconvNet projection of one activation of one image. */
@Command(name = "deconv", mixinStandardHelpOptions = true,
        description = "Project a channel's strongest activation (or one unit) of an image back to pixel space with DeconvNet (Zeiler & Fergus).")
final class DeconvCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--layer", paramLabel = "TENSOR", required = true, description = "A 4-D feature map.")
    String layer;

    @Option(names = "--channel", paramLabel = "C", required = true, description = "The channel.")
    int channel;

    @Option(names = "--unit", paramLabel = "Y,X", split = ",", description = "The unit (default: the channel's strongest).")
    int[] unit;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "Image, reconstruction, and both cut to the receptive field.")
    Path out;

    @Option(names = "--npy", paramLabel = "FILE", description = "Also save the reconstruction [C, H, W] (float32 .npy).")
    Path npy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Graph g = model.load().graph();
        ActivationsCommand.requireTensor(g, layer);
        InputOptions.Input in = input.load(g);
        Tensor x = in.tensor();
        if (x.dim(0) != 1) {
            x = x.slice0(0, 1);
        }
        if (unit != null && unit.length != 2) {
            throw new UsageException("--unit takes Y,X");
        }
        DeconvReconstruction.Projection p;
        try {
            p = DeconvReconstruction.project(Models.batchable(g), x, layer, channel, unit == null ? -1 : unit[0], unit == null ? -1 : unit[1]);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        Tensor image = ActivationsCommand.unitImage(in.picture(0));
        int[] r = p.field().clampedRegion(p.y(), p.x(), image.dim(1), image.dim(2));
        TileGrid grid = new TileGrid(List.of(new TileGrid.Row(null, List.of(
                new TileGrid.Tile(image, "input"),
                new TileGrid.Tile(DeconvReconstruction.symmetricUnit(p.image()), "deconv"),
                new TileGrid.Tile(MaxActivatingPatches.crop(image, r), "patch"),
                new TileGrid.Tile(DeconvReconstruction.symmetricUnit(p.patch()), "deconv patch")))));
        String heading = String.format(Locale.ROOT, "%s channel %d at (%d, %d) = %.3g; field %s", layer, channel, p.y(), p.x(),
                p.activation(), p.field());
        Png.write(out, IndirectPictures.grid(grid, 0, 128, heading, true, true));
        if (npy != null) {
            dev.loupe.engine.io.Npy.write(npy, p.image());
            Session.note(o, "reconstruction", npy);
        }
        o.println(heading);
        Session.note(o, "deconv", out);
        return 0;
    }
}
