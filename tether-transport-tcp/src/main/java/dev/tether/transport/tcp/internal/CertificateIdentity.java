package dev.tether.transport.tcp.internal;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Which node ids a certificate proves. A certificate proves the ids named by its subject alternative names of
 * type URI of the form {@code tether:node:<id>}; a certificate without such names proves the id equal to its
 * subject's common name (CN). A node id is proven only by the leaf certificate the TLS handshake verified
 * against the trusted CA.
 */
public final class CertificateIdentity {
    /** Prefix of a URI subject alternative name that names a node. */
    public static final String URI_PREFIX = "tether:node:";

    private static final int SAN_URI = 6;

    private CertificateIdentity() {}

    /** The node ids {@code certificate} proves; empty if it proves none. */
    public static List<String> provenIds(X509Certificate certificate) {
        List<String> ids = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2
                            && name.get(0) instanceof Integer type
                            && type == SAN_URI
                            && name.get(1) instanceof String uri
                            && uri.startsWith(URI_PREFIX)) {
                        ids.add(uri.substring(URI_PREFIX.length()));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (ids.isEmpty()) {
            String cn = commonName(certificate);
            if (cn != null) ids.add(cn);
        }
        return ids;
    }

    private static String commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
            String cn = null;
            for (Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) cn = String.valueOf(rdn.getValue());
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }
}
