package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FerryVersionTest {
    @Test
    void theBuildStampsMavensVersionAndTheCommit() {
        FerryVersion build = FerryVersion.current();

        // A placeholder left unfiltered, or no stamp at all, would not look like a version.
        assertThat(build.version()).matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?");
        // Empty only when the sources are not a git checkout (the container build copies no .git).
        assertThat(build.commit()).matches("([0-9a-f]{7,40})?");
        assertThat(build.toString()).startsWith(build.version());
    }

    @Test
    void aVersionWithoutACommitIsTheVersionAlone() {
        assertThat(new FerryVersion("1.2.3", "").toString()).isEqualTo("1.2.3");
        assertThat(new FerryVersion("1.2.3", "abc1234567").toString()).isEqualTo("1.2.3 (abc1234567)");
    }
}
