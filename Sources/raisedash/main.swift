// The `raisedash` executable: one binary, one subcommand per role. It only assembles modules.
import ArgumentParser

await RaiseDash.main()
