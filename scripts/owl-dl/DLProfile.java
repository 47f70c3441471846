import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;

/** OWL 2 DL profile check of the first file, with the declarations of the other files merged in. */
public class DLProfile {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        OWLOntology o = m.loadOntologyFromOntologyDocument(new File(args[0]));
        for (int i = 1; i < args.length; i++) {
            OWLOntology extra = OWLManager.createOWLOntologyManager().loadOntologyFromOntologyDocument(new File(args[i]));
            m.addAxioms(o, extra.axioms());
        }
        OWLProfileReport r = new OWL2DLProfile().checkOntology(o);
        System.out.println("in OWL 2 DL: " + r.isInProfile() + " (" + r.getViolations().size() + " violations)");
        for (OWLProfileViolation v : r.getViolations()) System.out.println(v);
        System.exit(r.isInProfile() ? 0 : 1);
    }
}
