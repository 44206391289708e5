// keyshift's example program: every `keyshift:<section>` in the stack's config (see stacks/ and the README's config
// reference) becomes a rotating credential. Change a section's rotatedDate and run `pulumi preview`.
import { runProgram } from "./program/main";

export = runProgram();
