package dev.loupe.cli;

/** Entry point of the loupe command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("loupe: no commands yet");
    }
}
