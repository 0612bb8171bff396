package dev.tether.transport.nats.internal;

import dev.tether.InvalidConfigException;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/**
 * NATS user nkey seed files: one seed ({@code SU...}) per file, on its own line, with optional {@code #} comment
 * lines (the plain output of NATS's {@code nk -gen user} is such a file). A node authenticates with its seed by
 * signing the server's nonce ({@link #authHandler}); the server's authorization names only the public key.
 *
 * <p>Failure: every problem with a file (missing, unreadable, no seed, several seeds, not a user seed) is an {@link
 * InvalidConfigException} naming the file; a seed never appears in a message. Stateless and thread-safe.
 */
public final class NkeyFiles {
    private static final System.Logger LOG = System.getLogger(NkeyFiles.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private NkeyFiles() {}

    /** The public key ({@code U...}) of the user seed in {@code file}; warns if others may read the file. */
    public static String publicKey(Path file) {
        char[] seed = readSeed(file);
        try {
            warnIfReadableByOthers(file);
            return publicKeyOf(seed, file);
        } finally {
            Arrays.fill(seed, '\0');
        }
    }

    /**
     * Writes a new user seed to {@code file}, which must not exist, readable and writable by its owner only where
     * the file system has POSIX permissions; {@code comment} (one line) goes above it. Returns the public key.
     */
    public static String create(Path file, String comment) {
        NKey key;
        try {
            key = NKey.createUser(new SecureRandom());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create an nkey: " + e.getMessage(), e);
        }
        try {
            String publicKey = new String(key.getPublicKey());
            String text = "# " + comment + "\n# public key " + publicKey + "\n" + new String(key.getSeed()) + "\n";
            createOwnerOnly(file);
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            return publicKey;
        } catch (FileAlreadyExistsException e) {
            throw new InvalidConfigException("nkey seed file " + file + " exists already; not overwritten", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("cannot write nkey seed file " + file + ": " + e.getMessage(), e);
        } finally {
            key.clear();
        }
    }

    /** Authenticates as the user whose seed is in {@code file}, read afresh at every (re)connect. */
    public static AuthHandler authHandler(Path file) {
        return new AuthHandler() {
            @Override
            public byte[] sign(byte[] nonce) {
                return withKey(file, k -> k.sign(nonce));
            }

            @Override
            public char[] getID() {
                return withKey(file, NKey::getPublicKey);
            }

            @Override
            public char[] getJWT() {
                return null;
            }
        };
    }

    private interface KeyUse<T> {
        T apply(NKey key) throws IOException, GeneralSecurityException;
    }

    private static <T> T withKey(Path file, KeyUse<T> use) {
        char[] seed = readSeed(file);
        NKey key = NKey.fromSeed(seed);
        try {
            return use.apply(key);
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("cannot use the nkey in " + file + ": " + e.getMessage(), e);
        } finally {
            key.clear();
            Arrays.fill(seed, '\0');
        }
    }

    /** The one seed in {@code file}, checked to be a user seed. */
    static char[] readSeed(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("nkey seed file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read nkey seed file " + file + ": " + e.getMessage(), e);
        }
        String seed = null;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            if (seed != null) throw new InvalidConfigException("nkey seed file " + file + " holds more than one key");
            seed = l;
        }
        if (seed == null) throw new InvalidConfigException("nkey seed file " + file + " holds no seed");
        if (!seed.startsWith("SU")) {
            throw new InvalidConfigException("nkey seed file " + file + " does not hold a user seed (one starting"
                    + " with SU; " + (seed.startsWith("U") ? "this is a public key" : "found another kind of key")
                    + ")");
        }
        char[] chars = seed.toCharArray();
        publicKeyOf(chars, file); // validates the checksum and encoding
        return chars;
    }

    private static String publicKeyOf(char[] seed, Path file) {
        try {
            NKey key = NKey.fromSeed(seed);
            try {
                return new String(key.getPublicKey());
            } finally {
                key.clear();
            }
        } catch (IllegalArgumentException | IllegalStateException | IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("nkey seed file " + file + " holds an invalid seed", e);
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException noPosix) {
            Files.createFile(file);
        }
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "nkey seed file " + file + " is readable by others (" + PosixFilePermissions.toString(p)
                                + "); chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the permissions of " + file + ": " + e);
        }
    }
}
